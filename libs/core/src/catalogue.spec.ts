import { MalformedEventError, defineCatalogue, ofType } from './catalogue';
import { RecordedEvent } from './messages';

/**
 * A parcel service whose `ParcelSent` changed shape twice: version 1 had `weight` in grams as
 * a string, version 2 made it a number, version 3 added `insured` (absent meant false).
 */
type ParcelSent = { type: 'ParcelSent'; data: { parcelId: string; grams: number; insured: boolean; to: string | null; size: 'S' | 'M' | 'L' } };
type ParcelLost = { type: 'ParcelLost'; data: { parcelId: string } };
type ParcelEvent = ParcelSent | ParcelLost;

const steps: number[] = [];
const parcels = defineCatalogue<ParcelEvent>('parcels', {
  ParcelSent: {
    schemaVersion: 3,
    upcast: {
      1: ({ weight, ...rest }) => (steps.push(1), { ...rest, grams: Number(weight) }),
      2: (data) => (steps.push(2), { insured: false, ...data }),
    },
    shape: { parcelId: 'string', grams: 'number', insured: 'boolean', to: 'string?', size: ['S', 'M', 'L'] },
    describe: (event, recorded) => `Parcel ${event.data.parcelId} sent by ${recorded.metadata.actor.email}`,
  },
  ParcelLost: {
    shape: { parcelId: 'string' },
    describe: (event) => `Parcel ${event.data.parcelId} lost`,
  },
});

const stored = (type: string, data: unknown, schemaVersion: unknown = 1): RecordedEvent => ({
  eventId: 'e1',
  type,
  streamId: 'parcel-p1',
  revision: 4,
  position: 42,
  data,
  metadata: { occurredAt: '2026-01-01T00:00:00.000Z', actor: { id: 'a', email: 'clerk@post.example', roles: [] }, correlationId: 'c', causationId: 'c', commandId: 'c', schemaVersion: schemaVersion as number },
});
const withoutSchemaVersion = (recorded: RecordedEvent): RecordedEvent => {
  const { schemaVersion: _version, ...metadata } = recorded.metadata;
  return { ...recorded, metadata: metadata as RecordedEvent['metadata'] };
};
const current = { parcelId: 'p1', grams: 1200, insured: true, to: 'Jane Doe, 1 High Street', size: 'M' };
const refusal = (recorded: RecordedEvent): MalformedEventError => {
  try {
    parcels.parse(recorded);
  } catch (error) {
    if (error instanceof MalformedEventError) return error;
    throw error;
  }
  throw new Error('parsed');
};

describe('an event catalogue', () => {
  beforeEach(() => steps.splice(0));

  it('reads an event of the current version as it is stored', () => {
    const recorded = stored('ParcelSent', current, 3);
    expect(parcels.parse(recorded)).toBe(recorded);
    expect(steps).toEqual([]);
  });

  it('brings an old shape up to the current one, one version at a time, in order', () => {
    const parsed = parcels.parse(stored('ParcelSent', { parcelId: 'p1', weight: '1200', to: null, size: 'S' }, 1));
    expect(steps).toEqual([1, 2]);
    expect(parsed.data).toEqual({ parcelId: 'p1', grams: 1200, insured: false, to: null, size: 'S' });
    expect(parsed.metadata.schemaVersion).toBe(3);
    expect(parsed).toMatchObject({ streamId: 'parcel-p1', revision: 4, position: 42, type: 'ParcelSent' });
    const { insured: _insured, ...beforeInsurance } = current;
    expect(parcels.parse(stored('ParcelSent', { ...beforeInsurance, grams: 5 }, 2)).data).toMatchObject({ grams: 5, insured: false });
  });

  it('keeps what an upcaster would default when the stored data already has it', () => {
    expect(parcels.parse(stored('ParcelSent', { parcelId: 'p1', grams: 1, insured: true, to: null, size: 'L' }, 2)).data).toMatchObject({ insured: true });
  });

  it('reads an event it has read already as the same event (parsing twice changes nothing)', () => {
    const once = parcels.parse(stored('ParcelSent', { parcelId: 'p1', weight: '7', to: null, size: 'S' }, 1));
    steps.splice(0);
    expect(parcels.parse(once)).toBe(once);
    expect(steps).toEqual([]);
  });

  it.each([
    ['a type that is not one of its own', stored('ParcelEaten', { parcelId: 'p1' }), /"ParcelEaten" is not one of its event types \(ParcelSent, ParcelLost\)/],
    ['a missing field', stored('ParcelLost', {}), /data\.parcelId should be string, is missing/],
    ['a field of another kind', stored('ParcelSent', { ...current, grams: '1200' }, 3), /data\.grams should be number, is a string/],
    ['a value outside its set', stored('ParcelSent', { ...current, size: 'XL' }, 3), /data\.size should be one of "S", "M", "L", is another string/],
    ['a null where none is allowed', stored('ParcelSent', { ...current, insured: null }, 3), /data\.insured should be boolean, is null/],
    ['an old shape that is still wrong once upcast', stored('ParcelSent', { parcelId: 'p1', weight: '1', size: 'S' }, 1), /data\.to should be string or null, is missing \(after upcasting from version 1\)/],
    ['data that is no object', stored('ParcelLost', ['p1']), /data should be object, is an array/],
    ['a schema version newer than the code', stored('ParcelLost', { parcelId: 'p1' }, 2), /schema version 2 is newer than this code reads \(1\)/],
    ['no schema version', withoutSchemaVersion(stored('ParcelLost', { parcelId: 'p1' })), /metadata\.schemaVersion should be an integer from 1, is missing/],
  ])('refuses %s, naming stream, revision, position and type', (_case, recorded, reason) => {
    const error = refusal(recorded);
    expect(error).toMatchObject({ catalogue: 'parcels', streamId: 'parcel-p1', revision: 4, position: 42, type: recorded.type });
    expect(error.message).toMatch(/^Stored event parcel-p1@4 \(type \w+, position 42\) cannot be read as parcels: /);
    expect(error.message).toMatch(reason);
  });

  it('never puts the data it refuses into the message (it may be personal data)', () => {
    expect(refusal(stored('ParcelSent', { ...current, size: 'Jane Doe' }, 3)).message).not.toContain('Jane');
  });

  it('says which schema version each type is written with', () => {
    expect(parcels.schemaVersion('ParcelSent')).toBe(3);
    expect(parcels.schemaVersion('ParcelLost')).toBe(1);
  });

  it('describes a stored event in one sentence, from its data and its actor', () => {
    expect(parcels.describe(stored('ParcelSent', { parcelId: 'p9', weight: '1', to: null, size: 'S' }, 1))).toBe('Parcel p9 sent by clerk@post.example');
  });

  it('restricted to some types, refuses the others', () => {
    const lostOnly = parcels.only('lost parcels', ['ParcelLost']);
    expect(lostOnly.types).toEqual(['ParcelLost']);
    expect(lostOnly.parse(stored('ParcelLost', { parcelId: 'p1' })).data.parcelId).toBe('p1');
    expect(() => lostOnly.parse(stored('ParcelSent', current, 3))).toThrow(/cannot be read as lost parcels: "ParcelSent" is not one of its event types \(ParcelLost\)/);
  });

  it('refuses to be defined with a version that has no upcaster', () => {
    expect(() =>
      defineCatalogue<ParcelLost>('gaps', { ParcelLost: { schemaVersion: 3, upcast: { 1: (d) => ({ ...d }) }, shape: { parcelId: 'string' }, describe: () => '' } }),
    ).toThrow('gaps: ParcelLost is at schema version 3 but has no upcaster from version 2.');
    expect(() =>
      defineCatalogue<ParcelLost>('beyond', { ParcelLost: { upcast: { 1: (d) => ({ ...d }) }, shape: { parcelId: 'string' }, describe: () => '' } }),
    ).toThrow('beyond: ParcelLost has an upcaster from version 1, at or beyond its current version 1.');
  });

  it('narrows typed events by type', () => {
    const events = [parcels.parse(stored('ParcelLost', { parcelId: 'p1' })), parcels.parse(stored('ParcelSent', current, 3))];
    expect(events.find(ofType('ParcelSent'))?.data.grams).toBe(1200);
  });
});
