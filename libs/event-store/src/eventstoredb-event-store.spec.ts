import { EventStoreDbEventStore } from './eventstoredb-event-store';
import { describeEventStoreContract } from './testing/event-store.contract';

// Runs against a real server only, e.g. EVENTSTORE_CONNECTION_STRING=esdb://localhost:2113?tls=false
const connectionString = process.env.EVENTSTORE_CONNECTION_STRING;

describeEventStoreContract(
  'eventstoredb',
  connectionString ? { open: async () => new EventStoreDbEventStore({ connectionString }) } : null,
  'EVENTSTORE_CONNECTION_STRING is not set (for example esdb://localhost:2113?tls=false)',
);

// Without a server: what the adapter does before it talks to one, and with nobody answering on a loopback port.
describe('EventStoreDbEventStore without a server', () => {
  it('refuses a connection string the client would misread, before connecting', () => {
    expect(() => new EventStoreDbEventStore({ connectionString: 'esdb://ledger:s3cret@localhost:2113?tls=false' })).toThrow(/only over TLS/);
    expect(() => new EventStoreDbEventStore({ connectionString: 'kurrentdb://localhost:2113' })).toThrow(/esdb:\/\//);
  });

  it('reports a server that does not answer at start as unreachable, so the process starts and reports itself not ready', async () => {
    expect(await EventStoreDbEventStore.checkAccess({ connectionString: 'esdb://127.0.0.1:9?tls=false', pingTimeoutMs: 3000 })).toBe('unreachable');
  });
});
