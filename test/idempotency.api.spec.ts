import { createHash } from 'node:crypto';
import { toArray } from '@access-ledger/event-store';
import { TestApi, bearer, startApi, withReadLatency } from './support/api';
import { OrgFixture, registerOrg, uniqueEmail } from './support/directory';

/** Idempotency-Key as the IETF httpapi draft describes it, through real HTTP. */
describe('Idempotency-Key', () => {
  let api: TestApi;
  let admin: string;
  let org: OrgFixture;

  beforeAll(async () => {
    api = await startApi();
    withReadLatency(api.events);
    admin = await api.token({ email: 'ops@platform.example', roles: ['platform_admin'] });
    org = await registerOrg(api, admin);
  });
  afterAll(() => api.close());

  const usersOf = (o: OrgFixture) => `/organisations/${o.orgId}/users`;
  const person = (email: string, permissionLevel = 'recorder') => ({ firstName: 'Pat', lastName: 'Doe', email, clinician: false, permissionLevel });
  const reservationOf = (email: string) => api.events.readStream(`useremail-${createHash('sha256').update(email.toLowerCase()).digest('hex')}`);
  const usersAdded = async (o: OrgFixture) =>
    (await toArray(api.events.readAll({ filter: { eventTypes: ['UserAdded'] } }))).filter((e) => e.data.organisationId === o.orgId);

  it('one key with three different bodies sent at once makes one user, one reservation and two refusals', async () => {
    const o = await registerOrg(api, admin);
    const [p0, p1, p2] = [uniqueEmail('p0'), uniqueEmail('p1'), uniqueEmail('p2')];
    const before = (await usersAdded(o)).length;
    const responses = await Promise.all(
      [person(p0, 'lead_administrator'), person(p1), person(p2)].map((body) =>
        api.http.post(usersOf(o)).set(bearer(o.leadToken)).set('Idempotency-Key', 'same-key').send(body),
      ),
    );
    expect(responses.filter((r) => r.status === 201)).toHaveLength(1);
    const refused = responses.filter((r) => r.status !== 201);
    expect(refused.map((r) => r.status)).toEqual([422, 422]);
    for (const r of refused) {
      expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(r.body.type).toMatch(/idempotency-key-reused$/);
    }
    const added = await usersAdded(o);
    expect(added.length - before).toBe(1);
    const winner = added.at(-1)!.data.email as string;
    const reservations = await Promise.all([p0, p1, p2].map(reservationOf));
    expect(reservations.map((r) => r.length)).toEqual([p0, p1, p2].map((e) => (e === winner ? 1 : 0)));
    // The refused addresses are nobody: no one signs in as someone else.
    for (const email of [p0, p1, p2].filter((e) => e !== winner)) {
      const me = await api.http.get('/me').set(bearer(await api.token({ email })));
      expect(me.status).toBe(200);
      expect(me.body.user).toBeNull();
    }
  });

  it('replays the first response to a retry with the same body and writes nothing', async () => {
    const body = person(uniqueEmail('retry'));
    const first = await api.http.post(usersOf(org)).set(bearer(org.leadToken)).set('Idempotency-Key', 'retry-1').send(body);
    expect(first.status).toBe(201);
    const head = await api.events.headPosition();
    const again = await api.http.post(usersOf(org)).set(bearer(org.leadToken)).set('Idempotency-Key', 'retry-1').send({ ...body });
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await api.events.headPosition()).toBe(head);
  });

  it('treats the same body written differently (key order, spacing) as the same request', async () => {
    const email = uniqueEmail('order');
    const first = await api.http
      .post(usersOf(org))
      .set(bearer(org.leadToken))
      .set('Idempotency-Key', 'order-1')
      .set('Content-Type', 'application/json')
      .send(`{"firstName":"Pat","lastName":"Doe","email":"${email}","clinician":false,"permissionLevel":"recorder"}`);
    const second = await api.http
      .post(usersOf(org))
      .set(bearer(org.leadToken))
      .set('Idempotency-Key', 'order-1')
      .set('Content-Type', 'application/json')
      .send(`{ "permissionLevel": "recorder", "clinician": false, "email": "${email}", "lastName": "Doe", "firstName": "Pat" }`);
    expect([first.status, second.status]).toEqual([201, 201]);
    expect(second.body).toEqual(first.body);
  });

  it('gives duplicates sent at once the first outcome or a 409 to retry, never a second effect', async () => {
    const body = person(uniqueEmail('dup'));
    const before = (await usersAdded(org)).length;
    const responses = await Promise.all(
      Array.from({ length: 5 }, () => api.http.post(usersOf(org)).set(bearer(org.leadToken)).set('Idempotency-Key', 'dup-1').send(body)),
    );
    for (const r of responses) {
      expect([201, 409]).toContain(r.status);
      if (r.status === 409) expect(r.body.type).toMatch(/idempotency-key-in-use$/);
    }
    const ids = new Set(responses.filter((r) => r.status === 201).map((r) => r.body.id));
    expect(ids.size).toBe(1);
    expect((await usersAdded(org)).length - before).toBe(1);
    const retried = await api.http.post(usersOf(org)).set(bearer(org.leadToken)).set('Idempotency-Key', 'dup-1').send(body);
    expect(retried.status).toBe(201);
    expect(retried.body.id).toEqual([...ids][0]);
  });

  it('binds the key to the caller and the path: the same key elsewhere is another request', async () => {
    const other = await registerOrg(api, admin);
    const a = await api.http.post(usersOf(org)).set(bearer(org.leadToken)).set('Idempotency-Key', 'shared').send(person(uniqueEmail('a')));
    const b = await api.http.post(usersOf(other)).set(bearer(other.leadToken)).set('Idempotency-Key', 'shared').send(person(uniqueEmail('b')));
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(a.body.id).not.toEqual(b.body.id);
  });

  it('decides a refused request again when it is retried, and still refuses another body under its key', async () => {
    const taken = uniqueEmail('taken');
    await api.http.post(usersOf(org)).set(bearer(org.leadToken)).send(person(taken)).expect(201);
    const refused = await api.http.post(usersOf(org)).set(bearer(org.leadToken)).set('Idempotency-Key', 'refused-1').send(person(taken));
    expect(refused.status).toBe(409);
    expect(refused.body.type).toMatch(/email-already-exists$/);
    const again = await api.http.post(usersOf(org)).set(bearer(org.leadToken)).set('Idempotency-Key', 'refused-1').send(person(taken));
    expect(again.status).toBe(409);
    expect(again.body.type).toMatch(/email-already-exists$/);
    const otherBody = await api.http.post(usersOf(org)).set(bearer(org.leadToken)).set('Idempotency-Key', 'refused-1').send(person(uniqueEmail('new')));
    expect(otherBody.status).toBe(422);
  });
});
