import { AppendTooLargeError, DuplicateEventIdError, EventStore, EventStoreUnavailableError, MAX_APPEND_BYTES } from '@access-ledger/event-store';
import { TEST_MANAGEMENT_TOKEN, TestApi, bearer, startApi } from './support/api';

/**
 * How the event store's typed errors reach a client: the HTTP mapping (libs/platform/src/http/problem.ts), through the
 * real app and HTTP. The embedded SQLite store is the real store here; its appends are made to fail with an error of
 * each kind, because what is under test is the mapping, not the store (the stores raise these errors in their own suites:
 * the event-store contract, eventstoredb-rules.spec.ts).
 */
describe('Event store errors over HTTP', () => {
  let api: TestApi;
  let admin: string;
  let restore: () => void;

  beforeAll(async () => {
    api = await startApi();
    admin = await api.token({ email: 'ops@platform.example', roles: ['platform_admin'] });
  });
  afterAll(() => api.close());
  afterEach(() => restore?.());

  /** The next appends to an `organisation-` stream fail with `error`; every other append (idempotency keys) goes through. */
  const failAppends = (events: EventStore, error: () => Error) => {
    const original = events.appendToStream;
    const append = original.bind(events);
    events.appendToStream = async (streamId, batch, options) => {
      if (streamId.startsWith('organisation-')) throw error();
      return append(streamId, batch, options);
    };
    restore = () => {
      events.appendToStream = original;
    };
  };

  const anOrganisation = () => ({ name: `Errors ${Math.random().toString(36).slice(2, 8)}` });
  const create = (body = anOrganisation(), headers: Record<string, string> = {}) => api.http.post('/organisations').set(bearer(admin)).set(headers).send(body);

  it('answers an append the store could not confirm with 503 event-store-unavailable and Retry-After, and a retry with the same key goes through', async () => {
    failAppends(api.events, () => new EventStoreUnavailableError('EventStoreDB is unavailable: deadline exceeded', 2));
    const body = anOrganisation();
    const refused = await create(body, { 'Idempotency-Key': 'unavailable-1' });
    expect(refused.status).toBe(503);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.headers['retry-after']).toBe('2');
    expect(refused.body).toMatchObject({ type: 'urn:access-ledger:problem:event-store-unavailable', status: 503, retryAfterSeconds: 2 });
    // Nothing internal leaks: the store's own message stays in the log.
    expect(JSON.stringify(refused.body)).not.toContain('deadline');
    restore();
    const retried = await create(body, { 'Idempotency-Key': 'unavailable-1' });
    expect(retried.status).toBe(201);
  });

  it('answers an append over the store limit with 413 append-too-large', async () => {
    failAppends(api.events, () => new AppendTooLargeError('organisation-x', MAX_APPEND_BYTES + 1, MAX_APPEND_BYTES));
    const refused = await create();
    expect(refused.status).toBe(413);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.body).toMatchObject({ type: 'urn:access-ledger:problem:append-too-large', status: 413 });
    expect(refused.body.detail).toContain(String(MAX_APPEND_BYTES));
  });

  // EventStoreDB counts the events behind only from when its head tracker started: its head() is made to answer so, with
  // one event the consumers have not processed yet.
  it('leaves lag in events out of /metrics and /health/ready where the store cannot count it, and still reports seconds', async () => {
    const ops = (path: string) => api.http.get(path).set(bearer(TEST_MANAGEMENT_TOKEN));
    expect((await ops('/metrics')).text).toMatch(/^projection_lag_events\{projection="directory_users"\} \d+$/m);
    const head = api.events.head.bind(api.events);
    api.events.head = async () => ({ position: (await head()).position + 1, eventsAfter: () => null });
    restore = () => {
      api.events.head = head;
    };
    const metrics = (await ops('/metrics')).text;
    expect(metrics).not.toMatch(/^projection_lag_events\{/m);
    expect(metrics).toMatch(/^projection_lag_seconds\{projection="directory_users"\} /m);
    const ready = await ops('/health/ready');
    // 200 with the details under `info`, or 503 not-ready with them under `checks`.
    const projections = ready.status === 200 ? ready.body.info.projections : ready.body.checks.projections;
    expect(projections.directory_users).toMatchObject({ lagEvents: null, lagSeconds: expect.any(Number) });
  });

  it('answers an append that repeats part of an earlier one with 409 duplicate-event-id', async () => {
    failAppends(api.events, () => new DuplicateEventIdError('organisation-x', 'e1'));
    const refused = await create();
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ type: 'urn:access-ledger:problem:duplicate-event-id', status: 409 });
  });
});
