import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CommandContext, ConflictError, Decider, DomainError, MalformedEventError, StaleVersionError, defineCatalogue, newId } from '@access-ledger/core';
import { SqliteEventStore } from './sqlite-event-store';
import { handleCommand } from './handle-command';

/** A seat booking: at most `capacity` seats, each booked once. Small enough to read, rich enough to race. */
type Booked = { type: 'SeatBooked'; data: { seat: number; by: string } };
type Book = { type: 'Book'; by: string; capacity: number };
type Seats = { booked: { seat: number; by: string }[] };
/** Version 1 of SeatBooked named the person `customer`; version 2 calls them `by`. */
const seatEvents = defineCatalogue<Booked>('seat events', {
  SeatBooked: {
    schemaVersion: 2,
    upcast: { 1: ({ customer, ...data }) => ({ ...data, by: customer }) },
    shape: { seat: 'number', by: 'string' },
    describe: ({ data }) => `Seat ${data.seat} booked by ${data.by}`,
  },
});
const seats: Decider<Book, Booked, Seats> = {
  catalogue: seatEvents,
  initialState: () => ({ booked: [] }),
  evolve: (state, event) => ({ booked: [...state.booked, event.data] }),
  decide: (command, state) => {
    if (state.booked.length >= command.capacity) throw new ConflictError('sold-out', 'No seat left.');
    return [{ type: 'SeatBooked', data: { seat: state.booked.length + 1, by: command.by } }];
  },
};

describe('handleCommand on the embedded store', () => {
  let dir: string;
  let store: SqliteEventStore;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'al-hc-'));
    store = new SqliteEventStore({ file: join(dir, 'events.db') });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const context = (commandId = newId()): CommandContext => ({
    commandId,
    actor: { id: 'sub-1', email: 'a@example.org', roles: [] },
    now: '2026-12-01T10:00:00.000Z',
    correlationId: newId(),
    causationId: commandId,
  });
  const book = (by: string, capacity = 10): Book => ({ type: 'Book', by, capacity });
  /** Another writer appends to the stream between our read and our append. */
  const interfere = (stream: string) => async () => {
    await handleCommand(store, seats, stream, book('someone else'), context());
  };

  it('appends what the decision produced and returns the new revision and position', async () => {
    const result = await handleCommand(store, seats, 'show-1', book('ann'), context());
    expect(result).toMatchObject({ revision: 0, events: [{ type: 'SeatBooked', data: { seat: 1, by: 'ann' } }], state: { booked: [{ seat: 1, by: 'ann' }] } });
    const [stored] = await store.readStream('show-1');
    expect(stored.position).toBe(result.position);
    expect(stored.metadata).toMatchObject({ actor: { id: 'sub-1' }, occurredAt: '2026-12-01T10:00:00.000Z' });
  });

  it('stamps each event with the schema version its catalogue names for the type', async () => {
    await handleCommand(store, seats, 'show-1', book('ann'), context());
    const [stored] = await store.readStream('show-1');
    expect(stored.metadata.schemaVersion).toBe(2);
  });

  /** An event as an older version of the code wrote it, straight into the store. */
  const appendRaw = (stream: string, data: Record<string, unknown>, schemaVersion: number) => {
    const ctx = context();
    return store.appendToStream(
      stream,
      [{ eventId: newId(), type: 'SeatBooked', data, metadata: { occurredAt: ctx.now, actor: ctx.actor, correlationId: ctx.correlationId, causationId: ctx.causationId, commandId: ctx.commandId, schemaVersion } }],
      { expectedRevision: 'any' },
    );
  };

  it('decides on events stored in an older shape as read in the current one', async () => {
    await appendRaw('show-1', { seat: 1, customer: 'old ann' }, 1);
    const result = await handleCommand(store, seats, 'show-1', book('bob', 2), context());
    expect(result.state.booked).toEqual([
      { seat: 1, by: 'old ann' },
      { seat: 2, by: 'bob' },
    ]);
  });

  it('refuses a stream holding an event its catalogue cannot read, naming it, and appends nothing', async () => {
    await appendRaw('show-1', { seat: 'one', by: 'ann' }, 2);
    const error = await handleCommand(store, seats, 'show-1', book('bob'), context()).catch((e) => e);
    expect(error).toBeInstanceOf(MalformedEventError);
    expect(error.message).toMatch(/^Stored event show-1@0 \(type SeatBooked, position \d+\) cannot be read as seat events: data\.seat should be number, is a string\.$/);
    expect(await store.readStream('show-1')).toHaveLength(1);
  });

  it('refuses to append an event its own catalogue could not read back, and appends nothing', async () => {
    // A decision carrying a value its type does not allow (here a null that slipped past validation).
    const careless: Decider<Book, Booked, Seats> = { ...seats, decide: (command) => [{ type: 'SeatBooked', data: { seat: 1, by: command.by } }] };
    const error = await handleCommand(store, careless, 'show-1', { ...book('ann'), by: null as unknown as string }, context()).catch((e) => e);
    expect(error.message).toBe('Refused to append SeatBooked to show-1: seat events could not read it back (data.by should be string, is null); nothing was appended.');
    expect(await store.readStream('show-1')).toHaveLength(0);
    // The stream stays usable for the next, correct command.
    await expect(handleCommand(store, seats, 'show-1', book('bob'), context())).resolves.toMatchObject({ revision: 0 });
  });

  it('replays a command already recorded: the first outcome, nothing appended', async () => {
    const ctx = context();
    const first = await handleCommand(store, seats, 'show-1', book('ann'), ctx);
    await handleCommand(store, seats, 'show-1', book('bob'), context());
    const again = await handleCommand(store, seats, 'show-1', book('ann'), ctx);
    expect(again.position).toBe(first.position);
    expect(again.revision).toBe(first.revision);
    expect(await store.readStream('show-1')).toHaveLength(2);
  });

  it('refuses a stale If-Match version with 412 before deciding', async () => {
    await handleCommand(store, seats, 'show-1', book('ann'), context());
    await handleCommand(store, seats, 'show-1', book('bob'), context());
    const error = await handleCommand(store, seats, 'show-1', book('cat'), context(), { expectedVersion: 0 }).catch((e) => e);
    expect(error).toBeInstanceOf(StaleVersionError);
    expect(error).toMatchObject({ kind: 'stale', expected: 0, actual: 1 });
    expect(await store.readStream('show-1')).toHaveLength(2);
  });

  it('after losing a race decides again on the new state: the loser gets the domain’s answer', async () => {
    await handleCommand(store, seats, 'show-1', book('ann', 2), context());
    let raced = false;
    const error = await handleCommand(store, seats, 'show-1', book('bob', 2), context(), {
      beforeAppend: async () => {
        if (!raced) await interfere('show-1')();
        raced = true;
      },
    }).catch((e) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error.code).toBe('sold-out');
    expect((await store.readStream('show-1')).map((e) => e.data.by)).toEqual(['ann', 'someone else']);
  });

  it('after losing a race with room left, books the next seat rather than the one it first decided', async () => {
    let raced = false;
    const result = await handleCommand(store, seats, 'show-1', book('bob'), context(), {
      beforeAppend: async () => {
        if (!raced) await interfere('show-1')();
        raced = true;
      },
    });
    expect(result.events).toEqual([{ type: 'SeatBooked', data: { seat: 2, by: 'bob' } }]);
  });

  it('gives up with 409 concurrent-modification when it loses every retry', async () => {
    const error = await handleCommand(store, seats, 'show-1', book('bob', 100), context(), { retries: 2, beforeAppend: interfere('show-1') }).catch((e) => e);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error.code).toBe('concurrent-modification');
    expect((await store.readStream('show-1')).map((e) => e.data.by)).toEqual(['someone else', 'someone else', 'someone else']);
  });

  it('writes nothing when the step before the append refuses', async () => {
    const error = await handleCommand(store, seats, 'show-1', book('bob'), context(), {
      beforeAppend: async () => {
        throw new ConflictError('not-admitted', 'No.');
      },
    }).catch((e) => e);
    expect(error.code).toBe('not-admitted');
    expect(await store.readStream('show-1')).toHaveLength(0);
  });

  it('completes a command from the state it read, again on every attempt', async () => {
    const seen: number[] = [];
    let raced = false;
    await handleCommand(
      store,
      seats,
      'show-1',
      async (state: Seats) => {
        seen.push(state.booked.length);
        return book('dan', state.booked.length + 1);
      },
      context(),
      {
        beforeAppend: async () => {
          if (!raced) await interfere('show-1')();
          raced = true;
        },
      },
    );
    expect(seen).toEqual([0, 1]);
    expect((await store.readStream('show-1')).map((e) => e.data)).toEqual([
      { seat: 1, by: 'someone else' },
      { seat: 2, by: 'dan' },
    ]);
  });
});
