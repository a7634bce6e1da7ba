import { defineCatalogue } from './catalogue';
import { Decider, fold } from './decider';
import { RecordedEvent } from './messages';

/** Version 1 of BagWeighed had `weight` as a string of grams; version 2 has `grams`, a number. */
type BagWeighed = { type: 'BagWeighed'; data: { grams: number } };
const scale: Decider<never, BagWeighed, { total: number }> = {
  initialState: () => ({ total: 0 }),
  evolve: (state, event) => ({ total: state.total + event.data.grams }),
  decide: () => [],
  catalogue: defineCatalogue<BagWeighed>('scale events', {
    BagWeighed: { schemaVersion: 2, upcast: { 1: ({ weight }) => ({ grams: Number(weight) }) }, shape: { grams: 'number' }, describe: ({ data }) => `${data.grams} g` },
  }),
};
const stored = (revision: number, data: unknown, schemaVersion: number): RecordedEvent => ({
  eventId: `e${revision}`,
  type: 'BagWeighed',
  streamId: 'scale-1',
  revision,
  position: revision + 1,
  data,
  metadata: { occurredAt: '2026-01-01T00:00:00.000Z', actor: { id: 'a', email: 'a@example.org', roles: [] }, correlationId: 'c', causationId: 'c', commandId: 'c', schemaVersion },
});

describe('fold', () => {
  it('reads every stored event through the decider’s catalogue, old shapes as the current one', () => {
    expect(fold(scale, [stored(0, { weight: '1200' }, 1), stored(1, { grams: 300 }, 2)])).toEqual({ total: 1500 });
  });

  it('refuses a stored event the catalogue cannot read rather than folding it', () => {
    expect(() => fold(scale, [stored(0, { grams: 1 }, 2), stored(1, { grams: '300' }, 2)])).toThrow(/^Stored event scale-1@1 \(type BagWeighed, position 2\) cannot be read as scale events/);
  });
});
