import { newId } from '@access-ledger/core';
import { participantStream } from '@access-ledger/care-access';
import { TestApi, bearer, startApi } from './support/api';
import { OrgFixture, addUser, registerOrg } from './support/directory';
import { addProfessional, addToWorkflow, answerPrompt, createWorkflow, enrol, participant } from './support/care';

/**
 * Who reads the audit history, for every audit endpoint, over real HTTP: one table per endpoint,
 * a row per caller, a column per resource (libs/audit/src/policy.ts as a client sees it).
 *
 * Organisation A is where the member rows hold their roles ("own"); B is another organisation,
 * whose lead administrator is the row "lead administrator of B". The participant is enrolled in a
 * workflow of A and has a grant there; another participant is enrolled in a workflow of B.
 */
const CALLERS = [
  'auditor',
  'lead_administrator',
  'lead_administrator_of_b',
  'administrator',
  'recorder',
  'spoc',
  'professional',
  'the_participant',
  'another_participant',
  'platform_admin',
  'outside_directory',
] as const;
type CallerName = (typeof CALLERS)[number];
type Cell = 200 | 403 | 404;
type Table = Record<CallerName, readonly Cell[]>;

/** Requests, users and workflows: auditors; lead administrators of the entity's organisation. */
const ORGANISATION_TIMELINE: Table = {
  //                          of A   of B   unknown
  auditor:                   [200,   200,   404],
  lead_administrator:        [200,   403,   404],
  lead_administrator_of_b:   [403,   200,   404],
  administrator:             [403,   403,   403],
  recorder:                  [403,   403,   403],
  spoc:                      [403,   403,   403],
  professional:              [403,   403,   403],
  the_participant:           [403,   403,   403],
  another_participant:       [403,   403,   403],
  platform_admin:            [403,   403,   403],
  outside_directory:         [403,   403,   403],
};

const PARTICIPANT_TIMELINE: Table = {
  //                          the participant's  another participant's  nobody's
  auditor:                   [200,               200,                   404],
  lead_administrator:        [403,               403,                   403],
  lead_administrator_of_b:   [403,               403,                   403],
  administrator:             [403,               403,                   403],
  recorder:                  [403,               403,                   403],
  spoc:                      [403,               403,                   403],
  professional:              [403,               403,                   403],
  the_participant:           [200,               403,                   403],
  another_participant:       [403,               200,                   403],
  platform_admin:            [403,               403,                   403],
  outside_directory:         [403,               403,                   403],
};

/** States as of an instant, who could see what, raw streams: auditors only, asked before anything is looked up. */
const AUDITOR_ONLY: Table = {
  //                          of A   of B   unknown
  auditor:                   [200,   200,   404],
  lead_administrator:        [403,   403,   403],
  lead_administrator_of_b:   [403,   403,   403],
  administrator:             [403,   403,   403],
  recorder:                  [403,   403,   403],
  spoc:                      [403,   403,   403],
  professional:              [403,   403,   403],
  the_participant:           [403,   403,   403],
  another_participant:       [403,   403,   403],
  platform_admin:            [403,   403,   403],
  outside_directory:         [403,   403,   403],
};

describe('Audit read policy: who reads which audit endpoint, per role and organisation', () => {
  let api: TestApi;
  let a: OrgFixture;
  let b: OrgFixture;
  const token = {} as Record<CallerName, string>;
  const ids = { participant: '', other: '' };
  /** Per kind, an entity of A and one of B. */
  const of = {} as Record<'request' | 'user' | 'workflow' | 'grant', { a: string; b: string }>;
  let professionalOfA: string;
  let professionalOfB: string;
  let last = 0;

  beforeAll(async () => {
    api = await startApi();
    const admin = await api.token({ email: 'ops@platform.example', roles: ['platform_admin'] });
    token.platform_admin = admin;
    token.auditor = await api.token({ email: 'audit@platform.example', roles: ['auditor'] });
    token.outside_directory = await api.token({ email: 'nobody@elsewhere.example' });
    a = await registerOrg(api, admin, 'Own Practice');
    b = await registerOrg(api, admin, 'Other Practice');
    token.lead_administrator = a.leadToken;
    token.lead_administrator_of_b = b.leadToken;
    for (const [name, body] of [
      ['administrator', { permissionLevel: 'administrator' }],
      ['recorder', { permissionLevel: 'recorder' }],
      ['spoc', { permissionLevel: 'recorder', spoc: true }],
    ] as const) {
      token[name] = await api.token({ email: (await addUser(api, a, body)).email });
    }
    const proA = await addProfessional(api, a);
    const proB = await addProfessional(api, b);
    token.professional = proA.token;
    [professionalOfA, professionalOfB] = [proA.id, proB.id];
    of.user = { a: (await addUser(api, a)).id, b: (await addUser(api, b)).id };

    const requester = await api.token({ sub: 'sub-requester', email: 'requester@example.org' });
    const ask = async (organisationId: string) => (await api.http.post('/requests').set(bearer(requester)).send({ organisationId, application: 'vaccination-recorder' })).body.id as string;
    of.request = { a: await ask(a.orgId), b: await ask(b.orgId) };

    of.workflow = { a: await createWorkflow(api, a), b: await createWorkflow(api, b) };
    await addToWorkflow(api, a, of.workflow.a, [proA.id]);
    await addToWorkflow(api, b, of.workflow.b, [proB.id]);
    const pat = await participant(api);
    const other = await participant(api);
    [ids.participant, ids.other, token.the_participant, token.another_participant] = [pat.id, other.id, pat.token, other.token];
    await enrol(api, pat.token, of.workflow.a);
    await enrol(api, other.token, of.workflow.b);
    of.grant = { a: (await answerPrompt(api, pat.token, of.workflow.a, proA.id)).grantId!, b: (await answerPrompt(api, other.token, of.workflow.b, proB.id)).grantId! };
    last = (await api.events.readStream(participantStream(other.id))).at(-1)!.position;
  });
  afterAll(() => api.close());

  /** Asks every cell of a table; a refusal must carry the endpoint's code, a 404 the missing entity's. */
  const statuses = async (paths: readonly string[], codes: { 403: string; 404: string }) => {
    const table = {} as Record<CallerName, Cell[]>;
    for (const caller of CALLERS) {
      table[caller] = [];
      for (const path of paths) {
        const response = await api.http.get(path).set(bearer(token[caller])).set('X-Min-Position', String(last));
        const status = response.status as Cell;
        if (status === 403 || status === 404) expect([caller, path, response.body.type]).toEqual([caller, path, `urn:access-ledger:problem:${codes[status]}`]);
        else expect([caller, path, status]).toEqual([caller, path, 200]);
        table[caller].push(status);
      }
    }
    return table;
  };

  it.each([
    ['requests', 'request'],
    ['users', 'user'],
    ['workflows', 'workflow'],
  ] as const)('GET /audit/%s/:id/timeline: auditors, lead administrators of the organisation', async (path, kind) => {
    const paths = [of[kind].a, of[kind].b, newId()].map((id) => `/audit/${path}/${id}/timeline`);
    expect(await statuses(paths, { 403: 'not-allowed', 404: `${kind}-not-found` })).toEqual(ORGANISATION_TIMELINE);
  });

  it('GET /audit/participants/:participantId/timeline: auditors, the participant themself', async () => {
    const paths = [ids.participant, ids.other, 'sub-never-seen'].map((id) => `/audit/participants/${encodeURIComponent(id)}/timeline`);
    expect(await statuses(paths, { 403: 'not-allowed', 404: 'participant-not-found' })).toEqual(PARTICIPANT_TIMELINE);
  });

  it.each([
    ['requests', 'request'],
    ['users', 'user'],
    ['workflows', 'workflow'],
    ['grants', 'grant'],
  ] as const)('GET /audit/%s/:id/state: auditors only', async (path, kind) => {
    const paths = [of[kind].a, of[kind].b, newId()].map((id) => `/audit/${path}/${id}/state?asOf=${encodeURIComponent(new Date().toISOString())}`);
    expect(await statuses(paths, { 403: 'not-an-auditor', 404: `${kind}-not-found` })).toEqual(AUDITOR_ONLY);
  });

  it('GET /audit/grants/:grantId/fhir: auditors only', async () => {
    const paths = [of.grant.a, of.grant.b, newId()].map((id) => `/audit/grants/${id}/fhir`);
    expect(await statuses(paths, { 403: 'not-an-auditor', 404: 'grant-not-found' })).toEqual(AUDITOR_ONLY);
  });

  it('GET /audit/access: auditors only', async () => {
    const at = encodeURIComponent(new Date().toISOString());
    const paths = [
      `/audit/access?participantId=${ids.participant}&professionalId=${professionalOfA}&workflowId=${of.workflow.a}&at=${at}`,
      `/audit/access?participantId=${ids.other}&professionalId=${professionalOfB}&workflowId=${of.workflow.b}&at=${at}`,
      `/audit/access?participantId=sub-never-seen&professionalId=${professionalOfA}&workflowId=${of.workflow.a}&at=${at}`,
    ];
    expect(await statuses(paths, { 403: 'not-an-auditor', 404: 'participant-not-found' })).toEqual(AUDITOR_ONLY);
  });

  it('GET /audit/streams/:streamId: auditors only', async () => {
    const paths = [`request-${of.request.a}`, `workflow-${of.workflow.b}`, `request-${newId()}`].map((id) => `/audit/streams/${id}`);
    expect(await statuses(paths, { 403: 'not-an-auditor', 404: 'stream-not-found' })).toEqual(AUDITOR_ONLY);
  });
});
