import fc from 'fast-check';
import { TestApi, bearer, startApi } from './support/api';
import { addProfessional, addToWorkflow, answerPrompt, assign, createWorkflow, enrol, inDays, participant } from './support/care';
import { OrgFixture, addUser, registerOrg } from './support/directory';

/**
 * Whatever a client sends to a write endpoint — any JSON, nasty Unicode, deep nesting, wrong
 * types, unknown keys, odd path ids and headers — the answer is never a 5xx, and every refusal
 * is problem+json with its status. One app instance serves every run.
 */

interface Ids {
  readonly orgId: string;
  readonly userId: string;
  readonly requestId: string;
  readonly workflowId: string;
  readonly professionalId: string;
  readonly participantId: string;
  readonly grantId: string;
  readonly assignmentId: string;
  /** An approved request: what provisioning outcomes are reported for. */
  readonly approvedId: string;
}
type PathId = keyof Ids;

interface Endpoint {
  readonly method: 'post' | 'patch';
  /** `:orgId`, `:userId`, `:requestId` `:approvedId` and the care ids are replaced by generated ids. */
  readonly path: string;
  readonly token: 'admin' | 'lead' | 'participant' | 'professional' | 'integration';
  /** Each field with an arbitrary of values the endpoint accepts. */
  readonly fields: Record<string, fc.Arbitrary<unknown>>;
}

/** Code units and code points that have broken text handling somewhere. */
const NASTY = [
  '\u0000', '\u0007', '\t', '\n', '\r', '\u001b', '\u007f', '\u0085', '\u009f',
  '\u200b', '\u200d', '\u200e', '\u202a', '\u202e', '\u2066', '\u2069', '\ufeff', '\u3164', '\u2800',
  '\u0301', 'e\u0301', '\ufb2c', '\ud800', '\udfff', '\ud83c\udf3f', '\ud83c', '\u{10ffff}', '\uffff',
  '"', '\\', '\\u0000', '%00', '{', '[', '$ne', '__proto__', 'constructor',
];
const nastyString = fc.string({ unit: fc.oneof(fc.constantFrom(...NASTY), fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)), fc.constantFrom('a', 'Z', ' ', '@', '.')), maxLength: 40 });
const longString = fc.integer({ min: 0, max: 3000 }).map((n) => 'x'.repeat(n));
/** Nesting around the limit (32) and far beyond it (deep enough to overflow a recursive walk). */
const nested = fc.tuple(fc.oneof(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1000, max: 3000 })), fc.boolean()).map(([depth, arrays]) => {
  let value: unknown = 'x';
  for (let i = 0; i < depth; i += 1) value = arrays ? [value] : { a: value };
  return value;
});
/** A wrong value for any field: other JSON types, nasty or long text, deep nesting. */
const anyValue = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }),
  nastyString,
  longString,
  nested,
  fc.constantFrom(null, true, 0, -1, 1e308, '', ' ', [], {}, ['x'], { in: ['x'] }, { $ne: null }),
);

const name = fc.oneof(fc.constantFrom('Jane', 'Zoë', 'Nuñez', 'O’Brien', '李'), nastyString);
const email = fc.oneof(fc.emailAddress(), nastyString.map((s) => `${s}@example.org`));
const permissionLevel = fc.constantFrom('recorder', 'lead_administrator', 'viewer', 'RECORDER');
const uuidLike = fc.oneof(fc.uuid(), nastyString);
const participantIds = fc.array(fc.oneof(fc.constant(':participantId'), nastyString, fc.uuid()), { maxLength: 3 });
const dateTime = fc.oneof(fc.constantFrom(inDays(30), inDays(-1), '2026-13-01T00:00:00Z', '2030-01-01', 'tomorrow'), nastyString);
const decision = fc.constantFrom('accept', 'decline', 'ACCEPT', 'maybe');
const text = fc.oneof(fc.constantFrom('because', 'Line one\nLine two'), nastyString, longString);

const ENDPOINTS: Endpoint[] = [
  { method: 'post', path: '/organisations', token: 'admin', fields: { name, emailDomains: fc.array(fc.oneof(fc.domain(), nastyString), { maxLength: 3 }) } },
  {
    method: 'post',
    path: '/organisations/:orgId/users',
    token: 'lead',
    fields: { firstName: name, lastName: name, email, clinician: fc.boolean(), permissionLevel, spoc: fc.boolean(), professional: fc.boolean() },
  },
  { method: 'patch', path: '/organisations/:orgId/users/:userId', token: 'lead', fields: { permissionLevel, clinician: fc.boolean(), spoc: fc.boolean(), professional: fc.boolean() } },
  { method: 'post', path: '/organisations/:orgId/users/:userId/deactivate', token: 'lead', fields: { reason: text } },
  { method: 'post', path: '/organisations/:orgId/users/:userId/reactivate', token: 'lead', fields: { reason: text } },
  { method: 'post', path: '/requests', token: 'lead', fields: { organisationId: fc.oneof(fc.constant(':orgId'), fc.uuid()), application: fc.constantFrom('app', 'vaccination-recorder', 'a b'), justification: text } },
  { method: 'post', path: '/requests/:requestId/submit', token: 'lead', fields: {} },
  { method: 'post', path: '/requests/:requestId/approve', token: 'lead', fields: { confirm: fc.constantFrom(true, false, 'true'), comment: text } },
  { method: 'post', path: '/requests/:requestId/reject', token: 'lead', fields: { reason: text } },
  { method: 'post', path: '/requests/:requestId/withdraw', token: 'lead', fields: { reason: text } },

  { method: 'post', path: '/organisations/:orgId/workflows', token: 'lead', fields: { name, project: name, allowAppendProfessionals: fc.boolean() } },
  { method: 'patch', path: '/organisations/:orgId/workflows/:workflowId', token: 'lead', fields: { allowAppendProfessionals: fc.boolean() } },
  {
    method: 'post',
    path: '/organisations/:orgId/workflows/:workflowId/professionals',
    token: 'lead',
    fields: { professionalIds: fc.array(fc.oneof(fc.constant(':professionalId'), uuidLike), { maxLength: 3 }), days: fc.oneof(fc.integer({ min: -5, max: 4000 }), fc.double()), reason: text },
  },
  {
    method: 'post',
    path: '/organisations/:orgId/assignments',
    token: 'lead',
    fields: { workflowId: fc.oneof(fc.constant(':workflowId'), uuidLike), professionalId: fc.oneof(fc.constant(':professionalId'), uuidLike), participantIds, endDate: dateTime, reason: text },
  },
  { method: 'post', path: '/workflows/:workflowId/enrolments', token: 'participant', fields: { appendConsent: fc.boolean() } },
  { method: 'post', path: '/workflows/:workflowId/consents', token: 'participant', fields: { professionalId: fc.oneof(fc.constant(':professionalId'), uuidLike), decision } },
  { method: 'post', path: '/assignments/:assignmentId/consent', token: 'participant', fields: { decision } },
  { method: 'post', path: '/access/:grantId/withdraw', token: 'participant', fields: {} },
  { method: 'post', path: '/workflows/:workflowId/participants/:participantId/results-access', token: 'professional', fields: {} },
  { method: 'post', path: '/requests/:approvedId/provisioning', token: 'integration', fields: { status: fc.constantFrom('provisioned', 'failed', 'disabled', 'pending'), detail: text } },
  {
    method: 'post',
    path: '/organisations/:orgId/users/:userId/provisioning',
    token: 'integration',
    fields: { status: fc.constantFrom('provisioned', 'disabled', 'failed', 'pending'), detail: text },
  },
];

/** A body shaped like the endpoint's: each field present or not, valid or wrong, plus unknown keys. */
const shapedBody = (fields: Endpoint['fields']) =>
  fc
    .tuple(
      fc.record(
        Object.fromEntries(Object.entries(fields).map(([key, valid]) => [key, fc.oneof({ weight: 3, arbitrary: valid }, { weight: 1, arbitrary: anyValue })])),
        { requiredKeys: [] },
      ),
      fc.dictionary(fc.oneof(fc.string({ maxLength: 8 }), nastyString, fc.constantFrom('__proto__', 'constructor', 'in', '$where')), anyValue, { maxKeys: 3 }),
      fc.boolean(),
    )
    .map(([body, extra, withExtra]) => (withExtra ? { ...body, ...extra } : body));

/** The text sent: a shaped body, any JSON value, or any text at all (mostly not JSON). */
const bodyText = (fields: Endpoint['fields']) =>
  fc.oneof(
    { weight: 4, arbitrary: shapedBody(fields).map((body) => JSON.stringify(body)) },
    { weight: 1, arbitrary: fc.jsonValue().map((value) => JSON.stringify(value) ?? '') },
    { weight: 1, arbitrary: fc.oneof(nastyString, fc.string(), fc.constantFrom('', '{', '{"a":1,}', '[', 'null', '{"a":"\\ud800"}', `${'['.repeat(5000)}`)) },
  );

/** Bytes as a path segment: unreserved ASCII as is, every other byte percent-encoded (invalid UTF-8 included). */
const segment = (bytes: Uint8Array) => Array.from(bytes, (byte) => (/[A-Za-z0-9._~-]/.test(String.fromCharCode(byte)) ? String.fromCharCode(byte) : `%${byte.toString(16).padStart(2, '0')}`)).join('');
/** The real id (null), another UUID, text, or raw bytes, ready for the path. */
const pathId = (which: PathId) =>
  fc
    .oneof(
      { weight: 3, arbitrary: fc.constant<string | null>(null) },
      { weight: 1, arbitrary: fc.uuid().map((id) => segment(Buffer.from(id))) },
      { weight: 1, arbitrary: fc.oneof(nastyString, fc.string({ minLength: 1, maxLength: 40 })).map((s) => segment(Buffer.from(s, 'utf8'))) },
      { weight: 1, arbitrary: fc.uint8Array({ minLength: 1, maxLength: 12 }).map(segment) },
    )
    .map((id) => [which, id] as const);

const headerValue = fc.string({ unit: 'binary-ascii', maxLength: 20 }).filter((s) => /^[\x20-\x7e]*$/.test(s));
const headers = fc.record(
  {
    'If-Match': fc.oneof(fc.constantFrom('"0"', '"1"', 'W/"2"', '*', '"-1"', '"99999999999999999999"'), headerValue),
    'Idempotency-Key': fc.oneof(fc.uuid(), headerValue),
    'X-Min-Position': headerValue,
    'Content-Type': fc.constantFrom('application/json', 'application/json; charset=utf-8', 'application/merge-patch+json', 'text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=latin1'),
  },
  { requiredKeys: [] },
);

const RUNS_PER_ENDPOINT = 100;

describe('Write endpoints under arbitrary input', () => {
  let api: TestApi;
  let tokens: Record<Endpoint['token'], string>;
  let ids: Ids;

  beforeAll(async () => {
    api = await startApi();
    const admin = await api.token({ email: 'ops@platform.example', roles: ['platform_admin'] });
    const org: OrgFixture = await registerOrg(api, admin, 'Property Practice');
    const user = await addUser(api, org);
    const request = await api.http.post('/requests').set(bearer(org.leadToken)).send({ organisationId: org.orgId, application: 'property-app' });
    expect(request.status).toBe(201);
    const approved = await api.http.post('/requests').set(bearer(org.leadToken)).send({ organisationId: org.orgId, application: 'provisioned-app' });
    const spoc = await api.token({ email: (await addUser(api, org, { spoc: true })).email });
    expect((await api.http.post(`/requests/${approved.body.id}/approve`).set(bearer(spoc)).send({ confirm: true })).status).toBe(200);
    // Care access: a workflow with a professional added up front, a participant who accepted
    // their prompt (a grant), and one assigned without append consent (a pending assignment).
    const professional = await addProfessional(api, org);
    const workflowId = await createWorkflow(api, org);
    await addToWorkflow(api, org, workflowId, [professional.id]);
    const consenting = await participant(api);
    await enrol(api, consenting.token, workflowId, { appendConsent: false });
    const { grantId } = await answerPrompt(api, consenting.token, workflowId, professional.id);
    const assignee = await addProfessional(api, org);
    const assigned = await assign(api, org, { workflowId, professionalId: assignee.id, participantIds: [consenting.id] });
    expect(assigned.status).toBe(201);
    tokens = {
      admin,
      lead: org.leadToken,
      participant: consenting.token,
      professional: professional.token,
      integration: await api.token({ email: 'robot@platform.example', roles: ['integration'] }),
    };
    ids = {
      orgId: org.orgId,
      userId: user.id,
      requestId: request.body.id,
      workflowId,
      professionalId: professional.id,
      participantId: consenting.id,
      grantId: grantId!,
      assignmentId: assigned.body.assignments[0].id,
      approvedId: approved.body.id,
    };
  });
  afterAll(() => api.close());

  it.each(ENDPOINTS.map((endpoint) => [`${endpoint.method.toUpperCase()} ${endpoint.path}`, endpoint] as const))('%s never answers 5xx, and refuses with problem+json', async (_name, endpoint) => {
    const placeholders = (endpoint.path.match(/:(orgId|userId|requestId|workflowId|participantId|grantId|assignmentId|approvedId)/g) ?? []).map((p) => p.slice(1) as PathId);
    await fc.assert(
      fc.asyncProperty(fc.tuple(...placeholders.map(pathId)), bodyText(endpoint.fields), headers, async (pathIds, text, extraHeaders) => {
        let path = endpoint.path;
        for (const [which, id] of pathIds) path = path.replace(`:${which}`, id ?? ids[which]);
        const body = text.replace(/:(orgId|workflowId|professionalId|participantId)\b/g, (_whole, which: PathId) => ids[which]);
        const response = await api.http[endpoint.method](path)
          .set(bearer(tokens[endpoint.token]))
          .set({ 'Content-Type': 'application/json', ...extraHeaders })
          .send(body);
        const context = `${endpoint.method.toUpperCase()} ${path} ${JSON.stringify(extraHeaders)} ${body.slice(0, 300)} -> ${response.status} ${response.text.slice(0, 300)}`;
        if (response.status >= 500) throw new Error(`5xx: ${context}`);
        if (response.status >= 400) {
          if (!/^application\/problem\+json/.test(response.headers['content-type'] ?? '')) throw new Error(`not problem+json: ${context}`);
          if (response.body.status !== response.status || !/^urn:access-ledger:problem:[a-z-]+$/.test(response.body.type)) throw new Error(`bad problem: ${context}`);
        }
      }),
      { numRuns: RUNS_PER_ENDPOINT },
    );
  });
});
