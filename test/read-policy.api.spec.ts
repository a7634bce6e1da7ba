import { newId } from '@access-ledger/core';
import { TestApi, bearer, startApi } from './support/api';
import { OrgFixture, addUser, registerOrg } from './support/directory';
import { addToWorkflow, answerPrompt, createWorkflow, enrol, requestResults } from './support/care';

/**
 * Who reads what, for every query endpoint, over real HTTP: one table per endpoint, a row per
 * caller, a column per resource. The tables are the read policy (libs/directory/src/policy.ts,
 * libs/access-requests/src/policy.ts, libs/care-access/src/policy.ts) as a client sees it.
 *
 * Organisation A is where the member rows hold their roles ("own"); B is another organisation
 * ("other"). The user of the other organisation is B's lead administrator, who is also B's
 * SPOC: every right there, none in A. The requester and the outsider are not in the directory;
 * the requester made one request to A and one to B. The professional is a recorder of A with the
 * professional designation, added to A's workflow; the participant (not in the directory) is
 * enrolled in A's workflow and in B's, and let the professional see their results in A's.
 */
const CALLERS = [
  'platform_admin',
  'auditor',
  'integration',
  'lead_administrator',
  'administrator',
  'recorder',
  'spoc',
  'professional',
  'requester',
  'participant',
  'user_of_other_org',
  'outside_directory',
] as const;
type CallerName = (typeof CALLERS)[number];
/** `n/a`: the cell does not exist for this caller (only directory users have a record of their own). */
type Cell = 200 | 403 | 404 | 'n/a';
type Table = Record<CallerName, readonly Cell[]>;

const LIST_USERS: Table = {
  //                     users of A  users of B
  platform_admin:       [403,        403],
  auditor:              [200,        200],
  integration:          [403,        403],
  lead_administrator:   [200,        403],
  administrator:        [403,        403],
  recorder:             [403,        403],
  spoc:                 [403,        403],
  professional:         [403,        403],
  requester:            [403,        403],
  participant:          [403,        403],
  user_of_other_org:    [403,        200],
  outside_directory:    [403,        403],
};

const GET_USER: Table = {
  //                     a user of A  a user of B  B's user under A  their own record
  platform_admin:       [403,         403,         403,              'n/a'],
  auditor:              [200,         200,         404,              'n/a'],
  integration:          [403,         403,         403,              'n/a'],
  lead_administrator:   [200,         403,         404,              200],
  administrator:        [403,         403,         403,              200],
  recorder:             [403,         403,         403,              200],
  spoc:                 [403,         403,         403,              200],
  professional:         [403,         403,         403,              200],
  requester:            [403,         403,         403,              'n/a'],
  participant:          [403,         403,         403,              'n/a'],
  user_of_other_org:    [403,         200,         403,              200],
  outside_directory:    [403,         403,         403,              'n/a'],
};

const ME: Table = {
  //                     themselves
  platform_admin:       [200],
  auditor:              [200],
  integration:          [200],
  lead_administrator:   [200],
  administrator:        [200],
  recorder:             [200],
  spoc:                 [200],
  professional:         [200],
  requester:            [200],
  participant:          [200],
  user_of_other_org:    [200],
  outside_directory:    [200],
};

const OVERVIEW: Table = {
  //                     requests of A  requests of B
  platform_admin:       [403,           403],
  auditor:              [200,           200],
  integration:          [403,           403],
  lead_administrator:   [403,           403],
  administrator:        [403,           403],
  recorder:             [403,           403],
  spoc:                 [200,           403],
  professional:         [403,           403],
  requester:            [403,           403],
  participant:          [403,           403],
  user_of_other_org:    [403,           200],
  outside_directory:    [403,           403],
};

const GET_REQUEST: Table = {
  //                     a request to A  a request to B  an unknown request
  platform_admin:       [403,            403,            404],
  auditor:              [200,            200,            404],
  integration:          [403,            403,            404],
  lead_administrator:   [403,            403,            404],
  administrator:        [403,            403,            404],
  recorder:             [403,            403,            404],
  spoc:                 [200,            403,            404],
  professional:         [403,            403,            404],
  requester:            [200,            200,            404],
  participant:          [403,            403,            404],
  user_of_other_org:    [403,            200,            404],
  outside_directory:    [403,            403,            404],
};

const MY_REQUESTS: Table = {
  //                     their own requests, and only those
  platform_admin:       [200],
  auditor:              [200],
  integration:          [200],
  lead_administrator:   [200],
  administrator:        [200],
  recorder:             [200],
  spoc:                 [200],
  professional:         [200],
  requester:            [200],
  participant:          [200],
  user_of_other_org:    [200],
  outside_directory:    [200],
};

const WORKFLOWS: Table = {
  //                     workflows of A  workflows of B
  platform_admin:       [403,            403],
  auditor:              [200,            200],
  integration:          [403,            403],
  lead_administrator:   [200,            403],
  administrator:        [200,            403],
  recorder:             [403,            403],
  spoc:                 [403,            403],
  professional:         [403,            403],
  requester:            [403,            403],
  participant:          [403,            403],
  user_of_other_org:    [403,            200],
  outside_directory:    [403,            403],
};

/** GET …/workflows/:workflowId/professionals and GET …/workflows/:workflowId/participants alike. */
const ONE_WORKFLOW: Table = {
  //                     A's under A  B's under B  B's under A  unknown under A
  platform_admin:       [403,         403,         403,         403],
  auditor:              [200,         200,         404,         404],
  integration:          [403,         403,         403,         403],
  lead_administrator:   [200,         403,         404,         404],
  administrator:        [200,         403,         404,         404],
  recorder:             [403,         403,         403,         403],
  spoc:                 [403,         403,         403,         403],
  professional:         [403,         403,         403,         403],
  requester:            [403,         403,         403,         403],
  participant:          [403,         403,         403,         403],
  user_of_other_org:    [403,         200,         403,         403],
  outside_directory:    [403,         403,         403,         403],
};

const CONSENT_PROMPTS: Table = {
  //                     in A's workflow  in B's workflow  an unknown workflow
  platform_admin:       [404,             404,             404],
  auditor:              [404,             404,             404],
  integration:          [404,             404,             404],
  lead_administrator:   [404,             404,             404],
  administrator:        [404,             404,             404],
  recorder:             [404,             404,             404],
  spoc:                 [404,             404,             404],
  professional:         [404,             404,             404],
  requester:            [404,             404,             404],
  participant:          [200,             200,             404],
  user_of_other_org:    [404,             404,             404],
  outside_directory:    [404,             404,             404],
};

const MY_PARTICIPANTS: Table = {
  //                     theirs  theirs in A's workflow  theirs in B's workflow
  platform_admin:       [403,    403,                    403],
  auditor:              [403,    403,                    403],
  integration:          [403,    403,                    403],
  lead_administrator:   [403,    403,                    403],
  administrator:        [403,    403,                    403],
  recorder:             [403,    403,                    403],
  spoc:                 [403,    403,                    403],
  professional:         [200,    200,                    200],
  requester:            [403,    403,                    403],
  participant:          [403,    403,                    403],
  user_of_other_org:    [403,    403,                    403],
  outside_directory:    [403,    403,                    403],
};

const MY_ACCESS: Table = {
  //                     who may see their own results, and who asked
  platform_admin:       [200],
  auditor:              [200],
  integration:          [200],
  lead_administrator:   [200],
  administrator:        [200],
  recorder:             [200],
  spoc:                 [200],
  professional:         [200],
  requester:            [200],
  participant:          [200],
  user_of_other_org:    [200],
  outside_directory:    [200],
};

/** The stable code of each endpoint's refusals. */
const FORBIDDEN = {
  users: 'not-a-lead-administrator',
  overview: 'not-a-spoc',
  request: 'not-allowed',
  workflows: 'not-an-administrator',
  myParticipants: 'not-a-professional',
};

describe('Read policy: who reads what, per role and organisation', () => {
  let api: TestApi;
  let a: OrgFixture;
  let b: OrgFixture;
  const token = {} as Record<CallerName, string>;
  /** Each directory caller's own user id (and the organisation it is in). */
  const own: Partial<Record<CallerName, { orgId: string; userId: string }>> = {};
  /** Users of A and of B whom the other cells read: none of the callers. */
  let userOfA: string;
  let userOfB: string;
  let requestToA: string;
  let requestToB: string;
  let workflowOfA: string;
  let workflowOfB: string;
  let grantOfA: string;
  let last: number;
  const seen = (position: number) => {
    last = Math.max(last, position);
  };

  beforeAll(async () => {
    api = await startApi();
    token.platform_admin = await api.token({ email: 'ops@platform.example', roles: ['platform_admin'] });
    token.auditor = await api.token({ email: 'audit@platform.example', roles: ['auditor'] });
    token.integration = await api.token({ email: 'robot@platform.example', roles: ['integration'] });
    token.requester = await api.token({ sub: 'sub-requester', email: 'requester@example.org' });
    token.outside_directory = await api.token({ email: 'nobody@elsewhere.example' });
    a = await registerOrg(api, token.platform_admin, 'Own Practice');
    b = await registerOrg(api, token.platform_admin, 'Other Practice');
    const members = [
      ['lead_administrator', { permissionLevel: 'lead_administrator', spoc: false }],
      ['administrator', { permissionLevel: 'administrator', spoc: false }],
      ['recorder', { permissionLevel: 'recorder', spoc: false }],
      ['spoc', { permissionLevel: 'recorder', spoc: true }],
    ] as const;
    for (const [name, body] of members) {
      const user = await addUser(api, a, body);
      token[name] = await api.token({ email: user.email });
      own[name] = { orgId: a.orgId, userId: user.id };
    }
    userOfA = (await addUser(api, a)).id;
    userOfB = (await addUser(api, b)).id;
    token.user_of_other_org = b.leadToken;
    own.user_of_other_org = { orgId: b.orgId, userId: b.leadId };
    const ask = async (organisationId: string) => {
      const response = await api.http.post('/requests').set(bearer(token.requester)).send({ organisationId, application: 'vaccination-recorder' });
      if (response.status !== 201) throw new Error(`create: ${response.status} ${JSON.stringify(response.body)}`);
      last = response.body.position;
      return response.body.id as string;
    };
    requestToA = await ask(a.orgId);
    requestToB = await ask(b.orgId);
    const professional = await addUser(api, a, { permissionLevel: 'recorder', professional: true });
    token.professional = await api.token({ email: professional.email });
    own.professional = { orgId: a.orgId, userId: professional.id };
    token.participant = await api.token({ sub: 'sub-participant', email: 'participant@example.org', name: 'Pat Participant' });
    workflowOfA = await createWorkflow(api, a);
    workflowOfB = await createWorkflow(api, b);
    seen((await addToWorkflow(api, a, workflowOfA, [professional.id])).position);
    seen((await enrol(api, token.participant, workflowOfA)).position);
    seen((await enrol(api, token.participant, workflowOfB)).position);
    const accepted = await answerPrompt(api, token.participant, workflowOfA, professional.id);
    grantOfA = accepted.grantId!;
    seen(accepted.position);
    const asked = await requestResults(api, token.professional, workflowOfA, 'sub-participant');
    if (asked.status !== 200) throw new Error(`results: ${asked.status} ${JSON.stringify(asked.body)}`);
    seen(asked.body.position);
  });
  afterAll(() => api.close());

  type Codes = Partial<Record<403 | 404, string>>;
  /** Asks every cell of a table; a refusal must carry the endpoint's code (or, given one per column, the column's). */
  const statuses = async (paths: (caller: CallerName) => (string | null)[], codes: Codes | readonly Codes[]) => {
    const table = {} as Record<CallerName, Cell[]>;
    for (const caller of CALLERS) {
      table[caller] = [];
      for (const path of paths(caller)) {
        if (path === null) {
          table[caller].push('n/a');
          continue;
        }
        const response = await api.http.get(path).set(bearer(token[caller])).set('X-Min-Position', String(last));
        const status = response.status as 200 | 403 | 404;
        const expected = Array.isArray(codes) ? (codes as readonly Codes[])[table[caller].length] : (codes as Codes);
        if (status === 403 || status === 404) expect([path, response.body.type]).toEqual([path, `urn:access-ledger:problem:${expected[status]}`]);
        table[caller].push(status);
      }
    }
    return table;
  };

  it('GET /organisations/:orgId/users: lead administrators of the organisation, auditors', async () => {
    expect(await statuses(() => [`/organisations/${a.orgId}/users`, `/organisations/${b.orgId}/users`], { 403: FORBIDDEN.users })).toEqual(LIST_USERS);
  });

  it('GET /organisations/:orgId/users/:userId: the user, lead administrators of the organisation, auditors; a user of another organisation is not found there', async () => {
    const table = await statuses(
      (caller) => [
        `/organisations/${a.orgId}/users/${userOfA}`,
        `/organisations/${b.orgId}/users/${userOfB}`,
        `/organisations/${a.orgId}/users/${userOfB}`,
        own[caller] ? `/organisations/${own[caller]!.orgId}/users/${own[caller]!.userId}` : null,
      ],
      { 403: FORBIDDEN.users, 404: 'user-not-found' },
    );
    expect(table).toEqual(GET_USER);
  });

  it('GET /me: anyone authenticated, about themselves', async () => {
    expect(await statuses(() => ['/me'], {})).toEqual(ME);
    for (const caller of CALLERS) {
      const me = await api.http.get('/me').set(bearer(token[caller]));
      expect([caller, me.body.user?.id ?? null]).toEqual([caller, own[caller]?.userId ?? null]);
    }
  });

  it('GET /organisations/:orgId/requests: SPOCs of the organisation, auditors', async () => {
    expect(await statuses(() => [`/organisations/${a.orgId}/requests`, `/organisations/${b.orgId}/requests`], { 403: FORBIDDEN.overview })).toEqual(OVERVIEW);
  });

  it('GET /requests/:id: the requester, SPOCs of the request’s organisation, auditors; an unknown request is not found for anyone', async () => {
    const table = await statuses(() => [`/requests/${requestToA}`, `/requests/${requestToB}`, `/requests/${newId()}`], { 403: FORBIDDEN.request, 404: 'request-not-found' });
    expect(table).toEqual(GET_REQUEST);
  });

  it('GET /requests?mine=true: anyone authenticated, and only their own requests', async () => {
    expect(await statuses(() => ['/requests?mine=true'], {})).toEqual(MY_REQUESTS);
    for (const caller of CALLERS) {
      const mine = await api.http.get('/requests?mine=true').set(bearer(token[caller])).set('X-Min-Position', String(last));
      const ids = (mine.body.items as { id: string }[]).map((item) => item.id).sort();
      expect([caller, ids]).toEqual([caller, caller === 'requester' ? [requestToA, requestToB].sort() : []]);
    }
  });

  it('GET /organisations/:orgId/workflows: administrators and lead administrators of the organisation, auditors', async () => {
    expect(await statuses(() => [`/organisations/${a.orgId}/workflows`, `/organisations/${b.orgId}/workflows`], { 403: FORBIDDEN.workflows })).toEqual(WORKFLOWS);
  });

  it.each(['professionals', 'participants'])(
    'GET /organisations/:orgId/workflows/:workflowId/%s: administrators of the organisation, auditors; a workflow of another organisation is not found there',
    async (list) => {
      const table = await statuses(
        () => [
          `/organisations/${a.orgId}/workflows/${workflowOfA}/${list}`,
          `/organisations/${b.orgId}/workflows/${workflowOfB}/${list}`,
          `/organisations/${a.orgId}/workflows/${workflowOfB}/${list}`,
          `/organisations/${a.orgId}/workflows/${newId()}/${list}`,
        ],
        { 403: FORBIDDEN.workflows, 404: 'workflow-not-found' },
      );
      expect(table).toEqual(ONE_WORKFLOW);
    },
  );

  it('GET /workflows/:workflowId/consent-prompts: anyone authenticated, about themselves; not enrolled is not found', async () => {
    const notEnrolled = { 404: 'participant-not-enrolled' };
    const table = await statuses(
      () => [`/workflows/${workflowOfA}/consent-prompts`, `/workflows/${workflowOfB}/consent-prompts`, `/workflows/${newId()}/consent-prompts`],
      [notEnrolled, notEnrolled, { 404: 'workflow-not-found' }],
    );
    expect(table).toEqual(CONSENT_PROMPTS);
  });

  it('GET /me/participants: professionals, and only the participants who let them see their results', async () => {
    const paths = () => ['/me/participants', `/me/participants?workflowId=${workflowOfA}`, `/me/participants?workflowId=${workflowOfB}`];
    expect(await statuses(paths, { 403: FORBIDDEN.myParticipants })).toEqual(MY_PARTICIPANTS);
    const lists = [];
    for (const path of paths()) lists.push((await api.http.get(path).set(bearer(token.professional)).set('X-Min-Position', String(last))).body.items.map((i: { grantId: string }) => i.grantId));
    expect(lists).toEqual([[grantOfA], [grantOfA], []]);
  });

  it('GET /me/access: anyone authenticated, about themselves only', async () => {
    expect(await statuses(() => ['/me/access'], {})).toEqual(MY_ACCESS);
    for (const caller of CALLERS) {
      const mine = await api.http.get('/me/access').set(bearer(token[caller])).set('X-Min-Position', String(last));
      const seenByCaller = [mine.body.grants.map((g: { grantId: string }) => g.grantId), mine.body.requests.length];
      expect([caller, seenByCaller]).toEqual([caller, caller === 'participant' ? [[grantOfA], 1] : [[], 0]]);
    }
  });
});
