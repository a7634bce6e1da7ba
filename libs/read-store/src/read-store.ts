/**
 * The read-store port: collections of JSON documents keyed by id, written only by
 * projections (through `applyChanges`, atomically with their checkpoint) and read by
 * query handlers. Adapters: embedded SQLite, MongoDB.
 */
export type Scalar = string | number | boolean | null;

export interface CollectionSpec {
  readonly name: string;
  /** Top-level document fields that may be filtered on and sorted by. */
  readonly fields: readonly string[];
  /** String fields searchable by case-insensitive prefix (and sorted case-insensitively). */
  readonly searchable?: readonly string[];
  /** Compound indexes over declared fields, in order. */
  readonly indexes?: readonly (readonly string[])[];
}

export type Condition = Scalar | { readonly in: readonly Scalar[] };

export interface SortKey {
  readonly field: string;
  readonly direction: 'asc' | 'desc';
}

/**
 * A place in a sorted result: the sort values of a row, as the store compares them (a
 * searchable field by its case-folded key), and its id. Opaque to callers: pass back what
 * `Page.next` gave, with the same query.
 */
export interface Keyset {
  /** One per sort key of the query, in its order. */
  readonly values: readonly Scalar[];
  readonly id: string;
}

export interface FindQuery {
  /** Equality or `in`; all conditions must hold. */
  readonly where?: Readonly<Record<string, Condition>>;
  /** Matches when any of the fields starts with the prefix, ignoring case. */
  readonly search?: { readonly fields: readonly string[]; readonly prefix: string };
  /** Ties are broken by id, in the direction of the last key, so that pages never overlap. */
  readonly sort?: readonly SortKey[];
  /** 1-based. Not with `after`. */
  readonly page?: number;
  readonly pageSize?: number;
  /**
   * Keyset paging: the rows that come strictly after this place in the query's order
   * (nulls first ascending, last descending). Costs the same at any depth, unlike `page`.
   */
  readonly after?: Keyset;
  /** Skip counting the matches (the caller knows the total another way); `total` is then -1. */
  readonly skipTotal?: boolean;
  /** Count at most this many matches: with more, `total` is this bound and `totalIsLowerBound` is true. */
  readonly countLimit?: number;
}

export interface Page<T> {
  /**
   * In the query's order. A search matching more than the store sorts at once
   * (`SEARCH_SORT_LIMIT`) may be answered a bounded stretch of the sort order at a time:
   * a page may then hold fewer than `pageSize` items, even none, while `next` is not
   * null. Page on until `next` is null.
   */
  readonly items: T[];
  readonly total: number;
  /** True when `total` stopped at `countLimit`: there are more matches than that. */
  readonly totalIsLowerBound: boolean;
  readonly page: number;
  readonly pageSize: number;
  /** Where the next page starts (`after`), or null when nothing follows. */
  readonly next: Keyset | null;
}

/**
 * Matches of a search that a store sorts in one go. Beyond it, SQLite answers from a bounded
 * walk along the sort order (see `Page.items`), and both adapters refuse `page` > 1 with
 * CursorRequiredError: without a full sort, the n-th page has no place to start from.
 */
export const SEARCH_SORT_LIMIT = 10_000;

export type Document = Record<string, unknown>;

export type Change =
  | { readonly op: 'upsert'; readonly collection: string; readonly id: string; readonly doc: Document; readonly position: number }
  | { readonly op: 'patch'; readonly collection: string; readonly id: string; readonly set: Document; readonly position: number }
  | { readonly op: 'delete'; readonly collection: string; readonly id: string; readonly position: number };

export interface ApplyOptions {
  /**
   * The checkpoint the writer believes is stored. When another writer moved it (a rebuild was
   * promoted, a second runner took over), nothing is applied and CheckpointMovedError is thrown,
   * so the writer can resume from the stored checkpoint instead of skipping or repeating events.
   */
  readonly expectedCheckpoint?: number;
  /**
   * The generation of each named collection (`generation()`) as the writer read it before it
   * read the documents its changes build on. When a promote has replaced one of them since,
   * nothing is applied and CollectionReplacedError is thrown: the writer's documents came from
   * the replaced collection. This catches the promote that `expectedCheckpoint` cannot, one
   * whose rebuilt checkpoint equals the live one.
   */
  readonly expectedGenerations?: Readonly<Record<string, string>>;
}

export interface ReadStore {
  /** Creates the collection and its indexes when missing; safe to call at every start. */
  ensureCollection(spec: CollectionSpec): Promise<void>;
  dropCollection(name: string): Promise<void>;
  /**
   * Applies the changes in order and records `checkpoint` for `projection`, as one unit:
   * after a crash either both are there or the batch is applied again, and a change whose
   * position is not above the document's last-applied position is a no-op.
   */
  applyChanges(projection: string, changes: readonly Change[], checkpoint: number, options?: ApplyOptions): Promise<void>;
  /** Last position the projection has processed; -1 when it has processed nothing. */
  getCheckpoint(projection: string): Promise<number>;
  get<T extends Document>(collection: string, id: string): Promise<T | null>;
  getMany<T extends Document>(collection: string, ids: readonly string[]): Promise<Map<string, T>>;
  /**
   * Names the collection's current contents as a whole: it changes when a promote replaces the
   * collection, never otherwise (writes, restarts and `ensureCollection` keep it). Opaque; compare
   * for equality only (ApplyOptions.expectedGenerations).
   */
  generation(collection: string): Promise<string>;
  find<T extends Document>(collection: string, query?: FindQuery): Promise<Page<T>>;
  /** Number of documents per value of `field` among those matching `where`. */
  countBy(collection: string, field: string, where?: FindQuery['where']): Promise<Record<string, number>>;
  /**
   * Replaces collection `to` by `from` and the checkpoint of projection `toProjection` by that
   * of `fromProjection`, so readers switch from the old table to the rebuilt one at once.
   */
  promote(args: { from: string; to: string; fromProjection: string; toProjection: string }): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

export const DEFAULT_PAGE_SIZE = 25;

export class UnknownFieldError extends Error {
  constructor(collection: string, field: string) {
    super(`Collection ${collection} does not declare field ${field}`);
    this.name = 'UnknownFieldError';
  }
}

export class CheckpointMovedError extends Error {
  constructor(readonly projection: string, readonly expected: number, readonly actual: number) {
    super(`Checkpoint of ${projection} is ${actual}, expected ${expected}`);
    this.name = 'CheckpointMovedError';
  }
}

/**
 * A batch built on documents of a collection that a promote has since replaced (its generation
 * moved, ApplyOptions.expectedGenerations): nothing was applied. A CheckpointMovedError, so a
 * runner resumes from the stored checkpoint and reads the documents again, from the collection
 * that is live now.
 */
export class CollectionReplacedError extends CheckpointMovedError {
  constructor(projection: string, readonly collection: string, checkpoint: number) {
    super(projection, checkpoint, checkpoint);
    this.message = `Collection ${collection} was replaced (promoted) after ${projection} read its documents; nothing applied`;
    this.name = 'CollectionReplacedError';
  }
}

/**
 * A `where` value of another shape than a Scalar or `{ in: Scalar[] }`, or an id that is not a
 * string: a bug in the caller (an unchecked request value or claim), refused before any query is
 * built, so an object can never become an operator (`{ $ne: null }`) or a bound parameter.
 */
export class InvalidQueryValueError extends Error {
  constructor(collection: string, what: string, value: unknown) {
    super(`Read store ${collection}: ${what} ${what === 'id' ? 'must be a string' : 'must be a string, a finite number, a boolean or null, or { in: [those] }'} (got ${shapeOf(value)})`);
    this.name = 'InvalidQueryValueError';
  }
}

/** The shape of a value for an error message, never the value itself (it may be personal data). */
const shapeOf = (value: unknown): string => {
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value !== null && typeof value === 'object') return `an object with keys ${Object.keys(value).slice(0, 5).join(', ') || '(none)'}`;
  return typeof value === 'number' ? String(value) : typeof value;
};

export const isScalar = (value: unknown): value is Scalar =>
  value === null || typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));

/**
 * Checks every condition of a `where` (adapters call it before building a query). An
 * undefined condition, or undefined inside an `in`, keeps its meaning (matches nothing / is
 * skipped), as before.
 */
export function checkWhere(collection: string, where: FindQuery['where']): void {
  for (const [field, condition] of Object.entries(where ?? {}) as [string, unknown][]) {
    if (condition === undefined || isScalar(condition)) continue;
    const list = (condition as { in?: unknown }).in;
    const isIn =
      typeof condition === 'object' &&
      Object.getPrototypeOf(condition) === Object.prototype &&
      Object.keys(condition).length === 1 &&
      Array.isArray(list) &&
      list.every((v) => v === undefined || isScalar(v));
    if (!isIn) throw new InvalidQueryValueError(collection, `the condition on ${field}`, condition);
  }
}

/** Ids are strings: anything else is refused before it reaches a query. */
export function checkIds(collection: string, ids: readonly unknown[]): void {
  for (const id of ids) if (typeof id !== 'string') throw new InvalidQueryValueError(collection, 'id', id);
}

/** The query asked for a page by number where only keyset paging (`after`) can answer it. */
export class CursorRequiredError extends Error {
  constructor(readonly matches: number) {
    super(`The search matches more than ${matches} rows: only the first page is served by number, continue with after`);
    this.name = 'CursorRequiredError';
  }
}

/** `after` does not fit the query (wrong number of sort values) or comes with `page`. */
export class InvalidKeysetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidKeysetError';
  }
}

/** `after` must carry one scalar per sort key and a string id, and not come with a page number. */
export function checkKeyset(after: Keyset, sort: readonly SortKey[], page: number | undefined): void {
  if (page !== undefined && page !== 1) throw new InvalidKeysetError('page and after cannot be combined');
  if (!Array.isArray(after.values) || after.values.length !== sort.length || !after.values.every(isScalar) || typeof after.id !== 'string') {
    throw new InvalidKeysetError(`after must hold ${sort.length} sort value(s) and an id`);
  }
}
