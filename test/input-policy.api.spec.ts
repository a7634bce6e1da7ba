import { TestApi, bearer, startApi } from './support/api';
import { createWorkflow } from './support/care';
import { OrgFixture, addUser, registerOrg, uniqueEmail } from './support/directory';

type Answer = { status: number; headers: Record<string, string>; body: any };

const expectProblem = (response: Answer, status: number, code: string) => {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ status, type: expect.stringMatching(new RegExp(`:${code}$`)), detail: expect.any(String) });
};

const fieldsOf = (response: Answer) => (response.body.errors ?? []).map((e: { field: string }) => e.field).sort();

/** `[[[ … "x" … ]]]`, `depth` arrays deep, as raw JSON text. */
const nested = (depth: number, inner = '"x"') => `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`;

describe('Input policy', () => {
  let api: TestApi;
  let admin: string;
  let org: OrgFixture;

  beforeAll(async () => {
    api = await startApi();
    admin = await api.token({ email: 'ops@platform.example', roles: ['platform_admin'] });
    org = await registerOrg(api, admin, 'Input Policy Practice');
  });
  afterAll(() => api.close());

  /** Sends `text` exactly as given, as application/json. */
  const postRaw = (path: string, token: string, text: string) =>
    api.http.post(path).set(bearer(token)).set('Content-Type', 'application/json').send(text);
  /** Sends `bytes` as they are (superagent would serialise a Buffer to JSON). */
  const postBytes = (path: string, token: string, contentType: string, bytes: Buffer) =>
    api.http.post(path).set(bearer(token)).set('Content-Type', contentType).serialize((b: Buffer) => b as never).send(bytes);
  const usersOf = `/organisations/__org__/users`;
  const usersPath = () => usersOf.replace('__org__', org.orgId);
  const newUser = (overrides: Record<string, unknown> = {}) => ({ firstName: 'Jane', lastName: 'Doe', email: uniqueEmail('jane'), clinician: false, permissionLevel: 'recorder', ...overrides });

  describe('JSON nesting', () => {
    it('refuses a body nested 1,400 deep with 400 json-too-deep (it used to be a 500)', async () => {
      const body = `{"organisationId":"${org.orgId}","application":"x","justification":${nested(1400)}}`;
      expect(body.length).toBeLessThan(3000);
      expectProblem(await postRaw('/requests', org.leadToken, body), 400, 'json-too-deep');
    });

    it('refuses objects nested too deep as well as arrays, on every JSON route', async () => {
      const deepObject = `${'{"a":'.repeat(40)}1${'}'.repeat(40)}`;
      expectProblem(await postRaw('/organisations', admin, deepObject), 400, 'json-too-deep');
    });

    it('counts brackets inside strings as text, not as nesting', async () => {
      const response = await postRaw('/requests', org.leadToken, JSON.stringify({ organisationId: org.orgId, application: 'brackets', justification: `${'['.repeat(100)}{{"\\` }));
      expect(response.status).toBe(201);
    });

    it('accepts 32 levels and refuses 33', async () => {
      // The body object is level 1; the justification's arrays add the rest.
      const at = (depth: number) => `{"organisationId":"${org.orgId}","application":"x","justification":${nested(depth - 1)}}`;
      const ok = await postRaw('/requests', org.leadToken, at(32));
      expectProblem(ok, 400, 'validation-failed');
      expect(fieldsOf(ok)).toEqual(['justification']);
      expectProblem(await postRaw('/requests', org.leadToken, at(33)), 400, 'json-too-deep');
    });
  });

  describe('JSON size in items', () => {
    it('refuses a wide body (80 kB of array elements, or of unknown keys) before validation copies it', async () => {
      const wideArray = `{"organisationId":"${org.orgId}","application":"x","justification":[${Array(40000).fill('1').join(',')}]}`;
      expectProblem(await postRaw('/requests', org.leadToken, wideArray), 400, 'json-too-many-items');
      const unknownKeys = JSON.stringify(Object.fromEntries(Array.from({ length: 8000 }, (_, i) => [`k${i}`, 1])));
      const refused = await postRaw('/organisations', admin, unknownKeys);
      expectProblem(refused, 400, 'json-too-many-items');
      // One short problem, not one entry per unknown key.
      expect(refused.text.length).toBeLessThan(1000);
    });

    it('counts array elements and object members of the whole body: 256 pass to validation, 257 do not', async () => {
      // 4 members + 252 elements = 256 items.
      const at = (elements: number) => `{"organisationId":"${org.orgId}","application":"x","justification":[${Array(elements).fill('1').join(',')}],"extra":1}`;
      const ok = await postRaw('/requests', org.leadToken, at(252));
      expectProblem(ok, 400, 'validation-failed');
      expect(fieldsOf(ok)).toEqual(['extra', 'justification']);
      expectProblem(await postRaw('/requests', org.leadToken, at(253)), 400, 'json-too-many-items');
    });

    it('accepts an organisation with 50 e-mail domains, the largest body we define', async () => {
      const emailDomains = Array.from({ length: 50 }, (_, i) => `d${i}.example.org`);
      expect((await api.http.post('/organisations').set(bearer(admin)).send({ name: 'Many Domains', emailDomains })).status).toBe(201);
    });
  });

  describe('malformed Unicode', () => {
    it('refuses a lone surrogate in an e-mail address with 400 malformed-unicode (it used to be a 500)', async () => {
      const body = JSON.stringify(newUser()).replace(/"email":"[^"]*"/, '"email":"\\ud800@x.org"');
      expectProblem(await postRaw(usersPath(), org.leadToken, body), 400, 'malformed-unicode');
    });

    it('refuses a lone surrogate in a key, or a low surrogate alone, anywhere in the body', async () => {
      expectProblem(await postRaw('/organisations', admin, '{"name":"Practice","\\udc00":1}'), 400, 'malformed-unicode');
      expectProblem(await postRaw('/organisations', admin, '{"name":"Practice","emailDomains":[["\\udfff"]]}'), 400, 'malformed-unicode');
      expectProblem(await postRaw('/organisations', admin, '{"name":"Prac\\udbff\\u0041tice"}'), 400, 'malformed-unicode');
    });

    it('refuses bytes that are not UTF-8', async () => {
      const bytes = Buffer.concat([Buffer.from('{"name":"Caf'), Buffer.from([0xe9]), Buffer.from('"}')]);
      expectProblem(await postBytes('/organisations', admin, 'application/json', bytes), 400, 'malformed-unicode');
    });

    it('refuses JSON in another charset than UTF-8 with 415', async () => {
      const text = Buffer.from('{"name":"Practice"}', 'utf16le');
      expectProblem(await postBytes('/organisations', admin, 'application/json; charset=utf-16le', text), 415, 'unsupported-charset');
    });

    it('accepts astral characters written as surrogate-pair escapes', async () => {
      const response = await postRaw('/organisations', admin, '{"name":"Practice \\ud83c\\udf3f"}');
      expect(response.status).toBe(201);
      const [event] = await api.events.readStream(`organisation-${response.body.id}`);
      expect(event.data.name).toBe('Practice 🌿');
    });
  });

  describe('free text', () => {
    it('refuses a bidirectional override in a name, naming the field (Trojan-source style spoofing)', async () => {
      const response = await api.http.post(usersPath()).set(bearer(org.leadToken)).send(newUser({ lastName: 'Doe\u202Egnp.exe' }));
      expectProblem(response, 400, 'validation-failed');
      expect(response.body.errors).toEqual([{ field: 'lastName', messages: [expect.stringMatching(/^lastName must not contain bidirectional control characters/)] }]);
    });

    it.each([
      ['an isolate', 'Ann\u2066a'],
      ['a NUL', 'Ann\u0000a'],
      ['a newline', 'Ann\na'],
      ['a C1 control', 'Ann\u0085a'],
      ['only zero-width and format characters', '\u200B\u200D\uFEFF'],
      ['only a Hangul filler', '\u3164'],
    ])('refuses %s in a first name', async (_what, firstName) => {
      const response = await api.http.post(usersPath()).set(bearer(org.leadToken)).send(newUser({ firstName }));
      expectProblem(response, 400, 'validation-failed');
      expect(fieldsOf(response)).toEqual(['firstName']);
    });

    it('refuses invisible tag characters and noncharacters hidden beside visible text, naming the field', async () => {
      for (const firstName of ['Jane\u{E0041}\u{E0042}', 'Jane\uFFFF']) {
        const response = await api.http.post(usersPath()).set(bearer(org.leadToken)).send(newUser({ firstName }));
        expect(response.status).toBe(400);
        expect(response.body.errors).toEqual([{ field: 'firstName', messages: [expect.stringMatching(/^firstName must not contain tag characters or noncharacters/)] }]);
      }
    });

    it('refuses control or bidi characters in an e-mail address', async () => {
      for (const email of [`ja\u202Ene@example.org`, `ja\u0007ne@example.org`]) {
        const response = await api.http.post(usersPath()).set(bearer(org.leadToken)).send(newUser({ email }));
        expectProblem(response, 400, 'validation-failed');
        expect(fieldsOf(response)).toEqual(['email']);
      }
    });

    it('stores names in NFC, so the same name typed two ways is one name', async () => {
      const decomposed = 'Zoe\u0308 Me\u0301lanie'; // "Zoë Mélanie" with combining marks
      const user = await addUser(api, org, { firstName: decomposed, lastName: 'Nun\u0303ez' });
      const [event] = await api.events.readStream(`user-${user.id}`);
      expect(event.type).toBe('UserAdded');
      expect(event.data.firstName).toBe('Zo\u00EB M\u00E9lanie');
      expect(event.data.lastName).toBe('Nu\u00F1ez');
    });

    it('stores e-mail addresses in NFC', async () => {
      const email = `jose\u0301-${uniqueEmail()}`;
      const user = await addUser(api, org, { email });
      const [event] = await api.events.readStream(`user-${user.id}`);
      expect(event.data.email).toBe(email.normalize('NFC'));
    });

    it('lets reasons and justifications span lines, but refuses other controls in them', async () => {
      const created = await api.http
        .post('/requests')
        .set(bearer(org.leadToken))
        .send({ organisationId: org.orgId, application: 'multi-line', justification: 'Line one\r\nLine two\n\tindented' });
      expect(created.status).toBe(201);
      const [event] = await api.events.readStream(`request-${created.body.id}`);
      expect(event.data.justification).toBe('Line one\nLine two\n\tindented');

      const reject = await api.http.post(`/requests/${created.body.id}/reject`).set(bearer(org.leadToken)).send({ reason: 'No\u001B[31m' });
      expectProblem(reject, 400, 'validation-failed');
      expect(fieldsOf(reject)).toEqual(['reason']);
      const approve = await api.http.post(`/requests/${created.body.id}/approve`).set(bearer(org.leadToken)).send({ confirm: true, comment: 'ok \u202D' });
      expect(fieldsOf(approve)).toEqual(['comment']);
      const withdraw = await api.http.post(`/requests/${created.body.id}/withdraw`).set(bearer(org.leadToken)).send({ reason: ' \u200B ' });
      expect(fieldsOf(withdraw)).toEqual(['reason']);
    });

    it('refuses unsafe text in an organisation name and in deactivation and reactivation reasons', async () => {
      expect(fieldsOf(await api.http.post('/organisations').set(bearer(admin)).send({ name: 'Clinic\u2067' }))).toEqual(['name']);
      const user = await addUser(api, org);
      for (const action of ['deactivate', 'reactivate']) {
        const response = await api.http.post(`${usersPath()}/${user.id}/${action}`).set(bearer(org.leadToken)).send({ reason: 'left\u0000' });
        expectProblem(response, 400, 'validation-failed');
        expect(fieldsOf(response)).toEqual(['reason']);
      }
    });
  });

  describe('null', () => {
    // class-validator's IsOptional lets null through as "left out"; a PATCH with clinician: null
    // once recorded an event its own catalogue could not read, and every later change to that
    // user was a 500. null is a value: refused by the field's own check, nothing written.
    it('is refused for every field that may be left out, naming the field, and nothing is written', async () => {
      const user = await addUser(api, org);
      const workflowId = await createWorkflow(api, org);
      const requester = await api.token({ sub: 'null-participant', email: 'null@people.example' });
      const cases: [method: 'post' | 'patch', path: string, token: string, body: Record<string, unknown>, field: string][] = [
        ['patch', `${usersPath()}/${user.id}`, org.leadToken, { clinician: null }, 'clinician'],
        ['patch', `${usersPath()}/${user.id}`, org.leadToken, { spoc: null }, 'spoc'],
        ['patch', `${usersPath()}/${user.id}`, org.leadToken, { professional: null }, 'professional'],
        ['patch', `${usersPath()}/${user.id}`, org.leadToken, { permissionLevel: null }, 'permissionLevel'],
        ['post', usersPath(), org.leadToken, newUser({ spoc: null }), 'spoc'],
        ['post', usersPath(), org.leadToken, newUser({ professional: null }), 'professional'],
        ['post', `${usersPath()}/${user.id}/deactivate`, org.leadToken, { reason: null }, 'reason'],
        ['post', '/organisations', admin, { name: 'Null Practice', emailDomains: null }, 'emailDomains'],
        ['post', '/requests', org.leadToken, { organisationId: org.orgId, application: 'null-app', justification: null }, 'justification'],
        ['post', `/organisations/${org.orgId}/workflows`, org.leadToken, { name: 'Null', allowAppendProfessionals: false, project: null }, 'project'],
        ['post', `/workflows/${workflowId}/enrolments`, requester, { appendConsent: null }, 'appendConsent'],
      ];
      for (const [method, path, token, body, field] of cases) {
        const before = await api.events.headPosition();
        const response = await api.http[method](path).set(bearer(token)).send(body);
        expectProblem(response, 400, 'validation-failed');
        expect([path, fieldsOf(response)]).toEqual([path, [field]]);
        expect(await api.events.headPosition()).toBe(before);
      }
      // The user is still changeable: nothing unreadable was recorded.
      expect((await api.http.patch(`${usersPath()}/${user.id}`).set(bearer(org.leadToken)).send({ clinician: true })).status).toBe(200);
    });
  });

  describe('query strings', () => {
    it('refuses a repeated scalar query parameter with 400 rather than passing an array on', async () => {
      for (const query of ['q=a&q=b', 'sort=lastName&sort=email', 'page=1&page=2', 'status=active&status=deactivated']) {
        const response = await api.http.get(`${usersPath()}?${query}`).set(bearer(org.leadToken));
        expectProblem(response, 400, 'validation-failed');
      }
      const mine = await api.http.get('/requests?mine=true&mine=true').set(bearer(org.leadToken));
      expectProblem(mine, 400, 'validation-failed');
      expect(fieldsOf(mine)).toEqual(['mine']);
      const overview = await api.http.get(`/organisations/${org.orgId}/requests?q=a&q=b`).set(bearer(org.leadToken));
      expect(fieldsOf(overview)).toEqual(['q']);
      // The one list parameter: statuses, comma-separated or repeated (not both).
      expect((await api.http.get(`/organisations/${org.orgId}/requests?status=created&status=rejected`).set(bearer(org.leadToken))).status).toBe(200);
    });

    it('does not read brackets in query keys as nested objects', async () => {
      const response = await api.http.get(`${usersPath()}?status[$ne]=x`).set(bearer(org.leadToken));
      expectProblem(response, 400, 'validation-failed');
      expect(fieldsOf(response)).toEqual(['status[$ne]']);
    });
  });
});
