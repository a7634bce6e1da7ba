import { newId } from '@access-ledger/core';
import { requestStream } from '@access-ledger/access-requests';
import { participantStream } from '@access-ledger/care-access';
import { loadConfig } from '@access-ledger/platform';
import { replayCommand } from '../apps/api/src/cli/replay';
import { TEST_SECRET, TestApi, bearer, startApi } from './support/api';
import { registerOrg, addUser } from './support/directory';
import { addProfessional, addToWorkflow, answerPrompt, createWorkflow, enrol, participant } from './support/care';

/** `npm run replay`: the timeline and the state of a stream for an auditor at a terminal, from the store in DATA_DIR. */
describe('the replay tool', () => {
  let api: TestApi;
  let requestId: string;
  let patId: string;
  const run = async (...args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await replayCommand(args, loadConfig({ DATA_DIR: api.dataDir, AUTH_JWT_SECRET: TEST_SECRET }, { auth: false }), { out: (l) => out.push(l), err: (l) => err.push(l) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  beforeAll(async () => {
    api = await startApi();
    const admin = await api.token({ email: 'ops@platform.example', roles: ['platform_admin'] });
    const org = await registerOrg(api, admin, 'Replayed Practice');
    const spoc = await addUser(api, org, { spoc: true });
    const requester = await api.token({ sub: 'sub-rita', email: 'rita@example.org' });
    requestId = (await api.http.post('/requests').set(bearer(requester)).send({ organisationId: org.orgId, application: 'vaccination-recorder' })).body.id;
    await new Promise((r) => setTimeout(r, 5));
    await api.http.post(`/requests/${requestId}/reject`).set(bearer(await api.token({ email: spoc.email }))).send({ reason: 'Shared account exists' });
    const pro = await addProfessional(api, org);
    const workflowId = await createWorkflow(api, org);
    await addToWorkflow(api, org, workflowId, [pro.id]);
    const pat = await participant(api);
    patId = pat.id;
    await enrol(api, pat.token, workflowId);
    await answerPrompt(api, pat.token, workflowId, pro.id);
  });
  afterAll(() => api.close());

  it('prints every event with its sentence, reason and changes, then the state after the last one', async () => {
    const { code, out } = await run('--stream', requestStream(requestId));
    expect(code).toBe(0);
    expect(out).toContain(`${requestStream(requestId)}: 2 events, oldest first`);
    expect(out).toMatch(new RegExp(`#0  \\S+  RequestCreated  by rita@example.org`));
    expect(out).toContain(`    Request ${requestId} for vaccination-recorder in organisation`);
    expect(out).toContain('    reason: "Shared account exists"');
    expect(out).toContain('    status: "created" -> "rejected"');
    expect(out).toContain('State after the last event (revision 1):');
    expect(out).toContain('"status": "rejected"');
  });

  it('with --as-of, marks where the state stops and prints the state then', async () => {
    const [created, rejected] = (await api.events.readStream(requestStream(requestId))).map((e) => e.metadata.occurredAt);
    const between = new Date((Date.parse(created) + Date.parse(rejected)) / 2).toISOString();
    const { code, out } = await run('--stream', requestStream(requestId), '--as-of', between);
    expect(code).toBe(0);
    expect(out).toContain(`---- as of ${between}: the state below stops here ----`);
    expect(out.indexOf('---- as of')).toBeGreaterThan(out.indexOf('RequestCreated'));
    expect(out.indexOf('---- as of')).toBeLessThan(out.indexOf('RequestRejected'));
    expect(out).toContain(`State as of ${between} (revision 0):`);
    expect(out).toContain('"status": "created"');
    const early = await run('--stream', requestStream(requestId), '--as-of', '2000-01-01T00:00:00Z');
    expect(early.out).toContain(`State as of 2000-01-01T00:00:00.000Z: none (the first event occurred at ${created}).`);
  });

  it('replays a participant’s stream too, and answers JSON with --json', async () => {
    const { code, out } = await run('--stream', participantStream(patId), '--json');
    expect(code).toBe(0);
    const parsed = JSON.parse(out);
    expect(parsed.timeline.map((e: { type: string }) => e.type)).toEqual(['ParticipantEnrolled', 'ConsentGiven']);
    expect(parsed.state).toMatchObject({ revision: 1, asOf: null, state: { status: 'known', participantId: patId, grants: [{ status: 'active' }] } });
  });

  it.each([
    [['--stream', 'not a stream'], 2, /Not a stream id/],
    [[], 2, /Usage: npm run replay/],
    [['--stream', `idempotency-${newId()}`], 2, /Streams of category "idempotency" are not replayed/],
    [['--stream', `request-${newId()}`, '--as-of', 'yesterday'], 2, /--as-of must be an ISO 8601/],
    [['--stream', `request-${newId()}`, '--bogus'], 2, /Unknown option '--bogus'/],
    [['--stream', `request-${newId()}`], 1, /No events are recorded in request-/],
  ])('refuses %j with exit code %i', async (args, expected, message) => {
    const { code, err } = await run(...args);
    expect(code).toBe(expected);
    expect(err).toMatch(message);
  });

  it('refuses to create an empty store where there is none', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const config = loadConfig({ DATA_DIR: `${api.dataDir}/nowhere`, AUTH_JWT_SECRET: TEST_SECRET }, { auth: false });
    expect(await replayCommand(['--stream', `request-${newId()}`], config, { out: (l) => out.push(l), err: (l) => err.push(l) })).toBe(1);
    expect(err.join('\n')).toMatch(/No event store at .*nowhere\/events\.db/);
  });
});
