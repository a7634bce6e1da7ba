import { EventMetadata, NewEvent, RecordedEvent, newId } from '@access-ledger/core';
import { EventStore, SubscribeOptions } from '@access-ledger/event-store';
import { TestApi, bearer, startApi } from './support/api';
import { OrgFixture, addUser, registerOrg } from './support/directory';
import { SseConnection, openSse } from './support/sse';

/**
 * The event feed for integrations over real HTTP on real SQLite files: pages (GET /events) and
 * Server-Sent Events (GET /events/stream), who may read them, and what a consumer relies on:
 * every feed event once, in order, resumable by position, across a restart too.
 */

type FeedEvent = { position: number; eventId: string; type: string; streamId: string; revision: number; data: Record<string, any> };

const expectProblem = (response: { status: number; headers: Record<string, string>; body: any }, status: number, code: string) => {
  expect([response.status, response.headers['content-type'], response.body.type]).toEqual([status, expect.stringMatching(/^application\/problem\+json/), `urn:access-ledger:problem:${code}`]);
};

/** Reads `count` events off a stream (comments skipped), failing if it ends first. */
const take = async (stream: SseConnection, count: number): Promise<FeedEvent[]> => {
  const events: FeedEvent[] = [];
  const mismatched: unknown[] = [];
  while (events.length < count) {
    const item = await stream.nextEvent();
    if (item === null) throw new Error(`the stream ended after ${events.length} of ${count} events`);
    const event = JSON.parse(item.data) as FeedEvent;
    // The SSE fields say what the data says.
    if (item.id !== String(event.position) || item.event !== event.type) mismatched.push([item.id, item.event, event.position, event.type]);
    events.push(event);
  }
  expect(mismatched).toEqual([]);
  return events;
};

/** Every page of GET /events from `after`, following lastPosition until a page is short. */
const allPages = async (api: TestApi, token: string, query: string, limit: number, after = 0) => {
  const pages: { events: FeedEvent[]; lastPosition: number }[] = [];
  for (;;) {
    const page = await api.http.get(`/events?after=${after}&limit=${limit}${query}`).set(bearer(token));
    expect(page.status).toBe(200);
    pages.push(page.body);
    after = page.body.lastPosition;
    if (page.body.events.length < limit) return pages;
  }
};

/** Counts what the service pulls from the store's subscriptions, and how many of them have ended. */
const watchSubscriptions = (events: EventStore) => {
  const original = events.subscribeToAll;
  const seen = { opened: 0, released: 0, pulled: 0 };
  events.subscribeToAll = (options?: SubscribeOptions) => {
    const inner = original.call(events, options);
    seen.opened += 1;
    return (async function* () {
      try {
        for await (const event of inner) {
          seen.pulled += 1;
          yield event;
        }
      } finally {
        seen.released += 1;
      }
    })();
  };
  return { seen, restore: () => void (events.subscribeToAll = original) };
};

/** Polls until `ready` holds (a bound, not a timing assertion: a wait that never ends fails the test). */
const eventually = async (ready: () => boolean | Promise<boolean>, what: string, giveUpMs = 10000) => {
  const deadline = Date.now() + giveUpMs;
  while (!(await ready())) {
    if (Date.now() > deadline) throw new Error(`gave up waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

/** Appends `count` UserAdded events directly, 500 to a stream (set-up of a long log, not under test: the feed reads each through its catalogue, whatever the stream). */
const appendUsers = async (events: EventStore, organisationId: string, count: number) => {
  const at = new Date().toISOString();
  const actor = { id: 'seed', email: 'seed@example.org', organisationId, roles: [] };
  const userAdded = (n: number): NewEvent => {
    const userId = newId();
    const metadata: EventMetadata = { occurredAt: at, actor, correlationId: userId, causationId: userId, commandId: userId, schemaVersion: 1 };
    const data = { userId, organisationId, firstName: 'Seed', lastName: `User ${n}`, email: `seed.${userId}@example.org`, clinician: false, permissionLevel: 'recorder', spoc: false, professional: false, addedAt: at };
    return { eventId: newId(), type: 'UserAdded', data, metadata };
  };
  for (let start = 0; start < count; start += 500) {
    const batch = Array.from({ length: Math.min(500, count - start) }, (_, i) => userAdded(start + i));
    await events.appendToStream(`user-${newId()}`, batch, { expectedRevision: 'no_stream' });
  }
};

describe('Event feed', () => {
  let api: TestApi;
  let org: OrgFixture;
  let integration: string;
  let requestId: string;
  let deactivatedUser: string;
  /** What the set-up recorded, by type, in log order: the feed's types and the others. */
  let log: RecordedEvent[];

  beforeAll(async () => {
    api = await startApi();
    const admin = await api.token({ email: 'ops@platform.example', roles: ['platform_admin'] });
    integration = await api.token({ sub: 'provisioning-service', email: 'provisioning@platform.example', roles: ['integration'] });
    org = await registerOrg(api, admin, 'Feed Practice');
    await addUser(api, org, { firstName: 'Rita', lastName: 'Recorder' });
    deactivatedUser = (await addUser(api, org)).id;
    const requester = await api.token({ sub: 'sub-requester', email: 'requester@example.org', name: 'Rhea Requester' });
    const created = await api.http.post('/requests').set(bearer(requester)).send({ organisationId: org.orgId, application: 'vaccination-recorder', justification: 'Winter clinics' });
    requestId = created.body.id;
    expect((await api.http.post(`/requests/${requestId}/submit`).set(bearer(requester))).status).toBe(200);
    expect((await api.http.post(`/requests/${requestId}/approve`).set(bearer(org.leadToken)).send({ confirm: true, comment: 'Welcome aboard' })).status).toBe(200);
    expect((await api.http.post(`/organisations/${org.orgId}/users/${deactivatedUser}/deactivate`).set(bearer(org.leadToken)).send({ reason: 'Left the practice' })).status).toBe(200);
    log = [];
    for await (const event of api.events.readAll()) log.push(event);
  });
  afterAll(() => api.close());

  const FEED_TYPES_RECORDED = ['UserAdded', 'UserAdded', 'UserAdded', 'RequestCreated', 'ApprovalRequested', 'RequestApproved', 'UserDeactivated'];
  const feedPositions = () => log.filter((e) => ['UserAdded', 'RequestCreated', 'ApprovalRequested', 'RequestApproved', 'UserDeactivated'].includes(e.type)).map((e) => e.position);

  describe('GET /events', () => {
    it('serves the feed types of the log in position order, and none of the others (organisations, reservations, admissions)', async () => {
      const page = await api.http.get('/events').set(bearer(integration));
      expect(page.status).toBe(200);
      expect(page.body.events.map((e: FeedEvent) => e.type)).toEqual(FEED_TYPES_RECORDED);
      expect(page.body.events.map((e: FeedEvent) => e.position)).toEqual(feedPositions());
      expect(log.map((e) => e.type)).toEqual(expect.arrayContaining(['OrganisationRegistered', 'EmailReserved', 'LeadAdministratorChangeAdmitted']));
      expect(page.body.lastPosition).toBe(feedPositions().at(-1));
    });

    it('serves each event with its envelope and only what downstream needs: the approved requester’s address, but no comment, reason, justification or actor', async () => {
      const { body } = await api.http.get('/events?types=RequestApproved,UserDeactivated').set(bearer(integration));
      const [approved, deactivated] = body.events as FeedEvent[];
      const stored = log.find((e) => e.type === 'RequestApproved')!;
      expect(approved).toEqual({
        position: stored.position,
        eventId: stored.eventId,
        type: 'RequestApproved',
        streamId: `request-${requestId}`,
        revision: stored.revision,
        occurredAt: stored.metadata.occurredAt,
        correlationId: stored.metadata.correlationId,
        causationId: stored.metadata.causationId,
        data: { requestId, organisationId: org.orgId, application: 'vaccination-recorder', requester: { id: 'sub-requester', email: 'requester@example.org', name: 'Rhea Requester' }, approvedAt: stored.data.approvedAt },
      });
      expect(deactivated.data).toEqual({ userId: deactivatedUser, organisationId: org.orgId, deactivatedAt: expect.any(String) });
      // The lead administrator approved and deactivated: their address is in their own UserAdded only, never as who acted.
      const served = (await api.http.get('/events').set(bearer(integration))).body.events as FeedEvent[];
      const everything = JSON.stringify(served.filter((e) => !(e.type === 'UserAdded' && e.data.email === org.leadEmail)));
      for (const secret of ['Welcome aboard', 'Left the practice', 'Winter clinics', org.leadEmail, 'spoc', 'actor']) expect([secret, everything.includes(secret)]).toEqual([secret, false]);
    });

    it('filters by type: comma-separated or repeated, in any order, each type once however often named', async () => {
      const types = async (query: string) => (await api.http.get(`/events?${query}`).set(bearer(integration))).body.events.map((e: FeedEvent) => e.type);
      expect(await types('types=RequestApproved,UserAdded')).toEqual(['UserAdded', 'UserAdded', 'UserAdded', 'RequestApproved']);
      expect(await types('types=UserAdded&types=RequestApproved')).toEqual(['UserAdded', 'UserAdded', 'UserAdded', 'RequestApproved']);
      expect(await types('types=ApprovalRequested,ApprovalRequested,')).toEqual(['ApprovalRequested']);
      expect(await types('types=AccessExpired')).toEqual([]);
    });

    it('pages with limit and lastPosition: the pages together are the feed, each event once; an empty page answers the after it was given', async () => {
      const pages = await allPages(api, integration, '', 2);
      expect(pages.map((p) => p.events.length)).toEqual([2, 2, 2, 1]);
      expect(pages.flatMap((p) => p.events.map((e) => e.position))).toEqual(feedPositions());
      pages.forEach((p) => expect(p.lastPosition).toBe(p.events.at(-1)!.position));
      const head = log.at(-1)!.position;
      expect((await api.http.get(`/events?after=${head}`).set(bearer(integration))).body).toEqual({ events: [], lastPosition: head });
      expect((await api.http.get('/events?after=999999').set(bearer(integration))).body).toEqual({ events: [], lastPosition: 999999 });
      // A filtered page that finds nothing after `after` still answers where it was asked from, so polling resumes there.
      const lastUserAdded = log.filter((e) => e.type === 'UserAdded').at(-1)!.position;
      expect((await api.http.get(`/events?after=${lastUserAdded}&types=UserAdded`).set(bearer(integration))).body).toEqual({ events: [], lastPosition: lastUserAdded });
      const typed = await allPages(api, integration, '&types=UserAdded', 1);
      expect(typed.flatMap((p) => p.events.map((e) => e.type))).toEqual(['UserAdded', 'UserAdded', 'UserAdded']);
      expect(typed.at(-1)).toEqual({ events: [], lastPosition: lastUserAdded });
    });

    it('refuses what is not a position, a limit out of 1..1000, and types it does not serve, naming them', async () => {
      const get = (query: string) => api.http.get(`/events?${query}`).set(bearer(integration));
      for (const query of ['after=-1', 'after=abc', 'after=1.5', 'after=1&after=2', 'limit=0', 'limit=1001', 'limit=ten', 'types=', 'fromPosition=3']) {
        const response = await get(query);
        expectProblem(response, 400, 'validation-failed');
      }
      const unknown = await get('types=UserAdded,RequestApprovd,AuditRecordRead,EmailReserved');
      expectProblem(unknown, 400, 'validation-failed');
      expect(unknown.body.errors).toEqual([{ field: 'types', messages: [expect.stringContaining('does not serve: RequestApprovd, AuditRecordRead, EmailReserved (')] }]);
      expect((await get('limit=1000&after=0')).status).toBe(200);
    });
  });

  it('is in the OpenAPI document: both operations, the page schema, the stream as text/event-stream with Last-Event-ID', async () => {
    const { paths, components } = (await api.http.get('/docs/openapi.json')).body;
    const page = paths['/events'].get.responses['200'].content['application/json'].schema;
    // A named schema (FeedPage) is referenced; follow the reference.
    const resolved = page.$ref ? components.schemas[page.$ref.replace('#/components/schemas/', '')] : page;
    expect(resolved.required).toEqual(['events', 'lastPosition']);
    expect(paths['/events'].get.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['after', 'limit', 'types']);
    expect(Object.keys(paths['/events/stream'].get.responses['200'].content)).toEqual(['text/event-stream']);
    expect(paths['/events/stream'].get.parameters.map((p: { name: string }) => p.name).sort()).toEqual(['Last-Event-ID', 'after', 'types']);
  });

  describe('who reads the feed', () => {
    it('integrations only: every other role 403 not-an-integration on both endpoints, no token 401', async () => {
      const recorder = await addUser(api, org, { permissionLevel: 'recorder' });
      const callers: Record<string, string | null> = {
        integration,
        platform_admin: await api.token({ email: 'ops@platform.example', roles: ['platform_admin'] }),
        auditor: await api.token({ email: 'audit@platform.example', roles: ['auditor'] }),
        lead_administrator: org.leadToken,
        recorder: await api.token({ email: recorder.email }),
        participant: await api.token({ sub: 'sub-participant', email: 'participant@example.org' }),
        requester: await api.token({ sub: 'sub-requester', email: 'requester@example.org' }),
        no_token: null,
      };
      const table: Record<string, [number, number]> = {};
      for (const [caller, token] of Object.entries(callers)) {
        const headers: Record<string, string> = token ? bearer(token) : {};
        const page = await api.http.get('/events').set(headers);
        const stream = await openSse(api.app, '/events/stream', headers);
        if (stream.status === 200) {
          expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
          stream.close();
        } else {
          const refused = { status: stream.status, headers: stream.headers as Record<string, string>, body: await stream.body() };
          expectProblem(refused, stream.status, token ? 'not-an-integration' : 'missing-token');
          expectProblem(page, page.status, token ? 'not-an-integration' : 'missing-token');
        }
        table[caller] = [page.status, stream.status];
      }
      expect(table).toEqual({
        integration: [200, 200],
        platform_admin: [403, 403],
        auditor: [403, 403],
        lead_administrator: [403, 403],
        recorder: [403, 403],
        participant: [403, 403],
        requester: [403, 403],
        no_token: [401, 401],
      });
    });
  });

  describe('GET /events/stream', () => {
    it('catches up from after, then goes live: each event once, in order, its id its position, as GET /events serves it', async () => {
      const stream = await openSse(api.app, '/events/stream', bearer(integration));
      expect(stream.headers).toMatchObject({ 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no', 'x-content-type-options': 'nosniff' });
      const served = (await api.http.get('/events').set(bearer(integration))).body.events;
      const caughtUp = await take(stream, served.length);
      expect(caughtUp).toEqual(served);
      const added = await addUser(api, org, { firstName: 'Livia', lastName: 'Live' });
      const [live] = await take(stream, 1);
      expect([live.type, live.data.firstName, live.position]).toEqual(['UserAdded', 'Livia', added.position]);
      stream.close();
    });

    it('starts after `after`, and after Last-Event-ID when both are given; filters by type', async () => {
      const [, second] = feedPositions();
      const fromAfter = await openSse(api.app, `/events/stream?after=${second}&types=RequestApproved,ApprovalRequested`, bearer(integration));
      expect((await take(fromAfter, 2)).map((e) => e.type)).toEqual(['ApprovalRequested', 'RequestApproved']);
      fromAfter.close();
      const approved = log.find((e) => e.type === 'ApprovalRequested')!.position;
      const resumed = await openSse(api.app, '/events/stream?after=0', { ...bearer(integration), 'Last-Event-ID': String(approved) });
      const [next] = await take(resumed, 1);
      expect(next.type).toBe('RequestApproved');
      resumed.close();
      const bad = await openSse(api.app, '/events/stream', { ...bearer(integration), 'Last-Event-ID': 'yesterday' });
      expectProblem({ status: bad.status, headers: bad.headers as Record<string, string>, body: await bad.body() }, 400, 'invalid-last-event-id');
      const badType = await openSse(api.app, '/events/stream?types=Everything', bearer(integration));
      expect([badType.status, (await badType.body()).errors[0].field]).toEqual([400, 'types']);
    });

    it('releases its subscription of the log when the client goes away', async () => {
      const { seen, restore } = watchSubscriptions(api.events);
      try {
        const stream = await openSse(api.app, '/events/stream', bearer(integration));
        await take(stream, 2);
        expect(seen).toMatchObject({ opened: 1, released: 0 });
        stream.close();
        await eventually(() => seen.released === 1, 'the subscription ends once the client has gone');
        // And it reads nothing more: appends after the client left are not pulled for it.
        const pulled = seen.pulled;
        await addUser(api, org);
        await addUser(api, org);
        await new Promise((r) => setTimeout(r, 300));
        expect(seen.pulled).toBe(pulled);
      } finally {
        restore();
      }
    });
  });
});

describe('Event feed stream: heartbeat, back-pressure, restart', () => {
  it('sends a heartbeat comment every FEED_HEARTBEAT_MS while idle, and stays open past the request timeout', async () => {
    const api = await startApi({ FEED_HEARTBEAT_MS: '40', HTTP_REQUEST_TIMEOUT_MS: '200', HTTP_HEADERS_TIMEOUT_MS: '100' });
    try {
      const integration = await api.token({ email: 'robot@platform.example', roles: ['integration'] });
      const stream = await openSse(api.app, '/events/stream', bearer(integration));
      // Twelve heartbeats take at least 480 ms: more than twice the request timeout.
      for (let i = 0; i < 12; i += 1) expect(await stream.next()).toEqual({ kind: 'comment', text: 'heartbeat' });
      const admin = await api.token({ email: 'ops@platform.example', roles: ['platform_admin'] });
      await registerOrg(api, admin);
      const event = await stream.nextEvent();
      expect(event?.event).toBe('UserAdded');
      stream.close();
    } finally {
      await api.close();
    }
  });

  it('stops reading the log while the client does not read (memory stays bounded), and delivers everything once it reads again', async () => {
    const api = await startApi({ RUN_PROJECTIONS: 'false' });
    const total = 24_000;
    try {
      const integration = await api.token({ email: 'robot@platform.example', roles: ['integration'] });
      await appendUsers(api.events, newId(), total);
      const { seen, restore } = watchSubscriptions(api.events);
      try {
        const stream = await openSse(api.app, '/events/stream', bearer(integration));
        stream.pause();
        // Wait until the server stops pulling: it has filled what the connection holds and waits for it to drain.
        let last = -1;
        let still = 0;
        await eventually(async () => {
          await new Promise((r) => setTimeout(r, 100));
          still = seen.pulled === last ? still + 1 : 0;
          last = seen.pulled;
          return still >= 5;
        }, 'the server stops reading while the client does not');
        const pulledWhilePaused = seen.pulled;
        // A FeedEvent of these is about 400 bytes: what it pulled is what the sockets' buffers and its own unsent megabyte hold, not the log.
        expect(pulledWhilePaused).toBeLessThan(total / 2);
        stream.resume();
        const events = await take(stream, total);
        const positions = events.map((e) => e.position);
        expect(new Set(positions).size).toBe(total);
        expect(positions).toEqual([...positions].sort((a, b) => a - b));
        stream.close();
      } finally {
        restore();
      }
    } finally {
      await api.close();
    }
  });

  it('resumes with Last-Event-ID across a restart of the service: nothing lost, nothing twice', async () => {
    const first = await startApi();
    const integration = await first.token({ sub: 'provisioning-service', email: 'provisioning@platform.example', roles: ['integration'] });
    const admin = await first.token({ email: 'ops@platform.example', roles: ['platform_admin'] });
    const org = await registerOrg(first, admin);
    for (let i = 0; i < 4; i += 1) await addUser(first, org);
    const stream = await openSse(first.app, '/events/stream?types=UserAdded', bearer(integration));
    const received = await take(stream, 5);
    // Live events, of which the client reads some before the service stops.
    for (let i = 0; i < 4; i += 1) await addUser(first, org);
    received.push(...(await take(stream, 2)));
    const lastId = received.at(-1)!.position;
    await first.stop();
    // The stopping service ended the stream (whatever it had sent after the last one read is read now, or never was).
    for (let item = await stream.nextEvent(); item !== null; item = await stream.nextEvent()) received.push(JSON.parse(item.data));
    const resumeFrom = received.at(-1)!.position;
    expect(resumeFrom).toBeGreaterThanOrEqual(lastId);

    const second = await startApi({}, { dataDir: first.dataDir });
    try {
      for (let i = 0; i < 3; i += 1) await addUser(second, org);
      const resumed = await openSse(second.app, '/events/stream?types=UserAdded', { ...bearer(integration), 'Last-Event-ID': String(resumeFrom) });
      const all: number[] = [];
      for await (const event of second.events.readAll({ filter: { eventTypes: ['UserAdded'] } })) all.push(event.position);
      expect(all).toHaveLength(1 + 4 + 4 + 3);
      received.push(...(await take(resumed, all.length - received.length)));
      expect(received.map((e) => e.position)).toEqual(all);
      resumed.close();
    } finally {
      await second.close();
    }
  });

  it('lets the service stop while streams are open', async () => {
    const api = await startApi();
    const integration = await api.token({ email: 'robot@platform.example', roles: ['integration'] });
    const streams = await Promise.all([1, 2, 3].map(() => openSse(api.app, '/events/stream', bearer(integration))));
    streams[1].pause();
    await api.close();
    // Each stream was ended by the service (a paused reader sees its end once it reads again).
    streams[1].resume();
    await Promise.all(streams.map(async (s) => expect(await s.next()).toBeNull()));
  });
});
