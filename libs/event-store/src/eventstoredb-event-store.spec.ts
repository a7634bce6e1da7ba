import { EventStoreDbEventStore } from './eventstoredb-event-store';
import { describeEventStoreContract } from './testing/event-store.contract';

// Runs against a real server only, e.g. EVENTSTORE_CONNECTION_STRING=esdb://localhost:2113?tls=false
const connectionString = process.env.EVENTSTORE_CONNECTION_STRING;

describeEventStoreContract(
  'eventstoredb',
  connectionString ? { open: async () => new EventStoreDbEventStore({ connectionString }) } : null,
  'EVENTSTORE_CONNECTION_STRING is not set (for example esdb://localhost:2113?tls=false)',
);
