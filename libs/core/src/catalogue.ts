import { DomainEvent, RecordedEvent } from './messages';

/**
 * Event catalogues: how a context reads its own stored events back.
 *
 * Every context lists, per event type, the current shape of its `data`, the upcasters that
 * bring older shapes up to it (keyed by `metadata.schemaVersion`) and one sentence for the
 * audit timeline. `parse` is the only way from a `RecordedEvent` (whose `data` is whatever the
 * store holds) to a typed event: it checks the type is one of the catalogue's, upcasts, checks
 * the shape cheaply, and refuses anything else with a `MalformedEventError` naming the event.
 */

/**
 * A stored event read as one of a context's own: the envelope as stored (stream, revision,
 * position, metadata) with `type` and `data` typed, `data` at the current schema version and
 * `metadata.schemaVersion` saying so. For a union of events it is the union of each with the
 * envelope, so `switch (event.type)` narrows `data`; and it is still the domain event `evolve` takes.
 */
export type Recorded<E extends DomainEvent> = E & Omit<RecordedEvent, 'type' | 'data'>;

/**
 * How one field of an event's data is checked on reading: by kind, or against the closed set
 * of values it may take. The kind follows from the field's type, so a check that does not fit
 * the event type does not compile.
 */
export type FieldCheck<T> = [T] extends [boolean]
  ? 'boolean'
  : [T] extends [number]
    ? 'number'
    : [T] extends [number | null]
      ? 'number?'
      : [T] extends [string]
      ? 'string' | readonly T[]
      : [T] extends [string | null]
        ? 'string?' | readonly T[]
        : [T] extends [readonly string[]]
          ? 'string[]'
          : [T] extends [object]
            ? 'object'
            : [T] extends [object | null]
              ? 'object?'
              : never;

/** The checks of every field of an event's data: a field added to the type must be added here. */
export type Shape<Data> = { readonly [K in keyof Data]-?: FieldCheck<Data[K]> };

/** Data of some schema version, on its way to the current one. */
export type Upcaster = (data: Readonly<Record<string, unknown>>) => Record<string, unknown>;

export interface EventDefinition<E extends DomainEvent> {
  /** Version of the data's shape that this code writes and reads; 1 until the shape changes. */
  readonly schemaVersion?: number;
  /** `upcast[n]` turns version-n data into version n+1; one for every version below `schemaVersion`. */
  readonly upcast?: Readonly<Record<number, Upcaster>>;
  /** The current shape, checked on every read (after upcasting). Unknown extra fields are kept, not refused. */
  readonly shape: Shape<E['data']>;
  /** One sentence for the audit timeline: who did what (the actor is in `recorded.metadata`). */
  describe(event: E, recorded: RecordedEvent): string;
}

export type Definitions<E extends DomainEvent> = { readonly [T in E['type']]: EventDefinition<Extract<E, { type: T }>> };

export interface EventCatalogue<E extends DomainEvent> {
  /** Whose events these are, for messages: `directory`, `user streams`, … */
  readonly name: string;
  readonly types: readonly E['type'][];
  includes(type: string): type is E['type'];
  /** The schema version events of this type are written with (and read as). */
  schemaVersion(type: E['type']): number;
  /** The stored event as the current typed event; throws MalformedEventError when it is not one of ours or not of its shape. */
  parse(recorded: RecordedEvent): Recorded<E>;
  /** One sentence about a stored event (parsed first). */
  describe(recorded: RecordedEvent): string;
  /** The same catalogue restricted to some of its types: what one kind of stream may hold. */
  only<T extends E['type']>(name: string, types: readonly T[]): EventCatalogue<Extract<E, { type: T }>>;
}

/** A stored event that its catalogue cannot read: names it by stream, revision, position and type (never its data). */
export class MalformedEventError extends Error {
  readonly streamId: string;
  readonly revision: number;
  readonly position: number;
  readonly type: string;
  constructor(
    readonly catalogue: string,
    recorded: Pick<RecordedEvent, 'streamId' | 'revision' | 'position' | 'type'>,
    readonly reason: string,
  ) {
    super(`Stored event ${recorded.streamId}@${recorded.revision} (type ${recorded.type}, position ${recorded.position}) cannot be read as ${catalogue}: ${reason}.`);
    this.name = new.target.name;
    this.streamId = recorded.streamId;
    this.revision = recorded.revision;
    this.position = recorded.position;
    this.type = recorded.type;
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

type AnyCheck = string | readonly unknown[];
/** A definition as `parse` uses it, whatever its event type. */
interface LooseDefinition {
  readonly schemaVersion?: number;
  readonly upcast?: Readonly<Record<number, Upcaster>>;
  readonly shape: Readonly<Record<string, AnyCheck>>;
  describe(event: DomainEvent, recorded: RecordedEvent): string;
}

const fits = (value: unknown, check: AnyCheck): boolean => {
  if (typeof check !== 'string') return check.includes(value);
  switch (check) {
    case 'boolean':
      return typeof value === 'boolean';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'number?':
      return value === null || (typeof value === 'number' && Number.isFinite(value));
    case 'string':
      return typeof value === 'string';
    case 'string?':
      return value === null || typeof value === 'string';
    case 'string[]':
      return Array.isArray(value) && value.every((item) => typeof item === 'string');
    case 'object':
      return isObject(value);
    case 'object?':
      return value === null || isObject(value);
    default:
      return false;
  }
};

/** What a value is, for messages: its kind only, never its content (data holds personal data). */
const kindOf = (value: unknown, check?: AnyCheck): string =>
  value === undefined
    ? 'missing'
    : value === null
      ? 'null'
      : Array.isArray(value)
        ? 'an array'
        : typeof value === 'string' && Array.isArray(check)
          ? 'another string'
          : `a ${typeof value}`;
const expected = (check: AnyCheck): string =>
  typeof check === 'string' ? (check.endsWith('?') ? `${check.slice(0, -1)} or null` : check) : `one of ${check.map((v) => JSON.stringify(v)).join(', ')}`;

/**
 * Defines a context's catalogue from one definition per event type. Checks at load time that
 * every schema version below the current one has its upcaster (a gap is a programming error).
 */
export function defineCatalogue<E extends DomainEvent>(name: string, definitions: Definitions<E>): EventCatalogue<E> {
  const byType = new Map(Object.entries(definitions as unknown as Readonly<Record<string, LooseDefinition>>));
  for (const [type, definition] of byType) {
    const current = definition.schemaVersion ?? 1;
    if (!Number.isInteger(current) || current < 1) throw new Error(`${name}: ${type} has schema version ${current}; versions are integers from 1.`);
    for (let version = 1; version < current; version += 1) {
      if (typeof definition.upcast?.[version] !== 'function') throw new Error(`${name}: ${type} is at schema version ${current} but has no upcaster from version ${version}.`);
    }
    for (const version of Object.keys(definition.upcast ?? {})) {
      if (Number(version) >= current) throw new Error(`${name}: ${type} has an upcaster from version ${version}, at or beyond its current version ${current}.`);
    }
  }
  return catalogueOf<E>(name, byType);
}

function catalogueOf<E extends DomainEvent>(name: string, byType: ReadonlyMap<string, LooseDefinition>): EventCatalogue<E> {
  const types = [...byType.keys()] as E['type'][];
  const includes = (type: string): type is E['type'] => byType.has(type);
  const definitionOf = (type: string): LooseDefinition => {
    const definition = byType.get(type);
    if (!definition) throw new Error(`${name}: ${type} is not one of its event types (${types.join(', ')}).`);
    return definition;
  };

  const parse = (recorded: RecordedEvent): Recorded<E> => {
    const refuse = (reason: string) => new MalformedEventError(name, recorded, reason);
    const definition = byType.get(recorded.type);
    if (!definition) throw refuse(`${JSON.stringify(recorded.type)} is not one of its event types (${types.join(', ')})`);
    const metadata: unknown = recorded.metadata;
    if (!isObject(metadata)) throw refuse('metadata is not an object');
    if (typeof metadata.occurredAt !== 'string') throw refuse(`metadata.occurredAt should be string, is ${kindOf(metadata.occurredAt)}`);
    if (!isObject(metadata.actor)) throw refuse(`metadata.actor should be object, is ${kindOf(metadata.actor)}`);
    const current = definition.schemaVersion ?? 1;
    const stored = metadata.schemaVersion;
    if (typeof stored !== 'number' || !Number.isInteger(stored) || stored < 1) throw refuse(`metadata.schemaVersion should be an integer from 1, is ${kindOf(stored)}`);
    if (stored > current) throw refuse(`schema version ${stored} is newer than this code reads (${current}); deploy the newer code first`);
    let data: unknown = recorded.data;
    if (!isObject(data)) throw refuse(`data should be object, is ${kindOf(data)}`);
    for (let version = stored; version < current; version += 1) data = definition.upcast![version](data as Record<string, unknown>);
    if (!isObject(data)) throw refuse(`upcasting from version ${stored} gave no object`);
    for (const [field, check] of Object.entries(definition.shape)) {
      const value = (data as Record<string, unknown>)[field];
      if (!fits(value, check)) throw refuse(`data.${field} should be ${expected(check)}, is ${kindOf(value, check)}${stored < current ? ` (after upcasting from version ${stored})` : ''}`);
    }
    // Checked above: type is one of ours and data has its current shape.
    if (stored === current) return recorded as Recorded<E>;
    return { ...recorded, data, metadata: { ...recorded.metadata, schemaVersion: current } } as Recorded<E>;
  };

  return {
    name,
    types,
    includes,
    schemaVersion: (type) => definitionOf(type).schemaVersion ?? 1,
    parse,
    describe: (recorded) => {
      const event = parse(recorded);
      return definitionOf(event.type).describe(event, event);
    },
    only: <T extends E['type']>(subName: string, subset: readonly T[]) =>
      catalogueOf<Extract<E, { type: T }>>(subName, new Map(subset.map((type) => [type, definitionOf(type)] as const))),
  };
}

/** A type guard by event type, for `find` and `filter` over typed events. */
export const ofType =
  <T extends string>(type: T) =>
  <E extends { readonly type: string }>(event: E): event is Extract<E, { readonly type: T }> =>
    event.type === type;
