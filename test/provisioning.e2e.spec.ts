import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { WebhookReceiver } from '../libs/provisioning-service/src/testing/webhook-receiver';
import { TEST_MANAGEMENT_TOKEN, TEST_SECRET, TestApi, bearer, startApi } from './support/api';
import { OrgFixture, addUser, registerOrg } from './support/directory';
import { ProvisioningProcess, eventually, startProvisioningProcess } from './support/provisioning';

const WEBHOOK_SECRET = 'e2e-webhook-secret-e2e-webhook-secret-0123';

/**
 * Provisioning as its own process (the built app) against the real API and a downstream receiver
 * started here: the receiver verifies every signature and performs an effect once per
 * Idempotency-Key, as a real downstream would.
 */
describe('account provisioning end to end (npm run start:provisioning, a webhook receiver)', () => {
  // Processes start and poll on a machine that may be busy: a bound for the whole test, not a timing assertion.
  jest.setTimeout(120_000);
  let api: TestApi;
  let apiUrl: string;
  let receiver: WebhookReceiver;
  let webhookUrl: string;
  let dataDir: string;
  let provisioning: ProvisioningProcess | undefined;
  let admin: string;
  let org: OrgFixture;
  let requester: string;
  /** Per request or user id: how the receiver answers its deliveries (default 200). */
  const behaviour = new Map<string, (count: number) => ReturnType<WebhookReceiver['answer']>>();

  const start = () =>
    startProvisioningProcess({
      DATA_DIR: dataDir,
      PROVISIONING_API_URL: apiUrl,
      AUTH_JWT_SECRET: TEST_SECRET,
      MANAGEMENT_TOKEN: TEST_MANAGEMENT_TOKEN,
      PROVISIONING_WEBHOOK_URL: webhookUrl,
      PROVISIONING_WEBHOOK_SECRET: WEBHOOK_SECRET,
      PROVISIONING_POLL_INTERVAL_MS: '20',
      PROVISIONING_MAX_ATTEMPTS: '3',
      PROVISIONING_RETRY_DELAY_MS: '10',
      PROVISIONING_RETRY_MAX_DELAY_MS: '50',
    }).then((p) => (provisioning = p));

  beforeAll(async () => {
    api = await startApi();
    apiUrl = `http://127.0.0.1:${(api.app.getHttpServer().address() as AddressInfo).port}`;
    receiver = new WebhookReceiver(WEBHOOK_SECRET, ({ body, count }) => {
      const subject = body?.subject ?? {};
      return behaviour.get(subject.requestId ?? subject.userId)?.(count) ?? { status: 200 };
    });
    webhookUrl = await receiver.start();
    dataDir = mkdtempSync(join(tmpdir(), 'al-prov-e2e-'));
    admin = await api.token({ email: 'ops@platform.example', roles: ['platform_admin'] });
    org = await registerOrg(api, admin, 'Hollybrook Surgery');
    requester = await api.token({ sub: 'sub-rita', email: 'rita@example.org', name: 'Rita Requester' });
  });
  afterAll(async () => {
    await provisioning?.stop();
    await receiver.stop();
    await api.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const approved = async () => {
    const created = await api.http.post('/requests').set(bearer(requester)).send({ organisationId: org.orgId, application: 'vaccination-recorder' });
    await api.http.post(`/requests/${created.body.id}/submit`).set(bearer(requester)).send({});
    const approval = await api.http.post(`/requests/${created.body.id}/approve`).set(bearer(org.leadToken)).send({ confirm: true });
    expect(approval.status).toBe(200);
    return created.body.id as string;
  };
  const eventIdOf = async (streamId: string, type: string) => (await api.events.readStream(streamId)).find((e) => e.type === type)!.eventId;
  const overviewRow = async (requestId: string) => {
    const response = await api.http.get(`/organisations/${org.orgId}/requests`).set(bearer(org.leadToken));
    return (response.body.items as { id: string; provisioning: { status: string; detail: string | null } | null }[]).find((r) => r.id === requestId);
  };
  const provisioningOf = (requestId: string, status: string) =>
    eventually(async () => {
      const row = await overviewRow(requestId);
      return row?.provisioning?.status === status ? row.provisioning : undefined;
    }, `request ${requestId} ${status} in the overview`);
  const accountOf = (userId: string, status: string) =>
    eventually(async () => {
      const response = await api.http.get(`/organisations/${org.orgId}/users`).set(bearer(org.leadToken));
      const row = (response.body.items as { id: string; account: { status: string; detail: string | null } }[]).find((u) => u.id === userId);
      return row?.account?.status === status ? row.account : undefined;
    }, `user ${userId} ${status} on the manage-users screen`);
  const recordedOnce = async (streamId: string, type: string) => (await api.events.readStream(streamId)).filter((e) => e.type === type).length;

  it('does not double an effect or skip an event when killed while the receiver holds a request mid-batch', async () => {
    // Three approvals before provisioning starts: its first feed page holds them all (and the organisation's users).
    const ids = [await approved(), await approved(), await approved()];
    const keys = await Promise.all(ids.map((id) => eventIdOf(`request-${id}`, 'RequestApproved')));
    behaviour.set(ids[1], (count) => (count === 1 ? 'hold' : { status: 200 }));
    await start();
    await receiver.waitFor(() => receiver.deliveriesOf(keys[1]) === 1);
    // The receiver has performed the second effect but not answered: the process dies before its checkpoint.
    await provisioning!.kill();
    receiver.release();
    expect(receiver.deliveriesOf(keys[2])).toBe(0);

    await start();
    for (const id of ids) await provisioningOf(id, 'provisioned');
    // At least once: the batch came again after the restart (the first event, done before the kill, was delivered twice) ...
    expect(receiver.deliveriesOf(keys[0])).toBe(2);
    expect(receiver.deliveriesOf(keys[1])).toBe(2);
    // ... and exactly one effect per event id, none skipped, each outcome recorded once.
    for (const key of keys) expect(receiver.effectsOf(key)).toBe(1);
    for (const id of ids) expect(await recordedOnce(`request-${id}`, 'AccountProvisioned')).toBe(1);
    expect(receiver.deliveries.every((d) => d.signatureValid)).toBe(true);
  });

  it('creates the accounts of added users, disables a deactivated one and enables it again, shown on the manage-users screen', async () => {
    expect(await accountOf(org.leadId, 'provisioned')).toMatchObject({ status: 'provisioned' });
    const user = await addUser(api, org);
    await accountOf(user.id, 'provisioned');
    await api.http.post(`/organisations/${org.orgId}/users/${user.id}/deactivate`).set(bearer(org.leadToken)).send({});
    await accountOf(user.id, 'disabled');
    await api.http.post(`/organisations/${org.orgId}/users/${user.id}/reactivate`).set(bearer(org.leadToken)).send({});
    await accountOf(user.id, 'provisioned');
    const actions = receiver.effects.filter((e) => receiver.deliveries.find((d) => d.idempotencyKey === e.key)?.body.subject.userId === user.id).map((e) => e.action);
    expect(actions).toEqual(['create-account', 'disable-account', 'enable-account']);
  });

  it('retries a receiver answering 500 until it takes the event, with one effect', async () => {
    const id = await approved();
    behaviour.set(id, (count) => ({ status: count < 3 ? 500 : 200 }));
    await provisioningOf(id, 'provisioned');
    const key = await eventIdOf(`request-${id}`, 'RequestApproved');
    expect(receiver.deliveries.filter((d) => d.idempotencyKey === key).map((d) => d.status)).toEqual([500, 500, 200]);
    expect(receiver.effectsOf(key)).toBe(1);
  });

  it('parks an event after its last attempt, reports it failed, and provisions it when an operator retries it', async () => {
    const id = await approved();
    let down = true;
    behaviour.set(id, () => ({ status: down ? 503 : 200 }));
    const failed = await provisioningOf(id, 'failed');
    expect(failed.detail).toMatch(/webhook answered 503.*after 3 attempts/);
    const key = await eventIdOf(`request-${id}`, 'RequestApproved');
    expect(receiver.deliveriesOf(key)).toBe(3);
    expect(receiver.effectsOf(key)).toBe(0);

    const parked = `http://127.0.0.1:${provisioning!.port}/parked`;
    const management = { Authorization: `Bearer ${TEST_MANAGEMENT_TOKEN}` };
    const listed = (await (await fetch(parked, { headers: management })).json()) as { items: { eventId: string; attempts: number; type: string }[] };
    expect(listed.items).toEqual([expect.objectContaining({ eventId: key, attempts: 3, type: 'RequestApproved' })]);
    // Events after it were not held up.
    const next = await approved();
    await provisioningOf(next, 'provisioned');

    const again = await fetch(`${parked}/${key}/retry`, { method: 'POST', headers: management });
    expect(again.status).toBe(409);
    expect(((await again.json()) as { type: string }).type).toMatch(/retry-failed$/);
    down = false;
    const retried = await fetch(`${parked}/${key}/retry`, { method: 'POST', headers: management });
    expect(retried.status).toBe(200);
    expect(await retried.json()).toEqual({ eventId: key, status: 'provisioned', attempts: 5 });
    await provisioningOf(id, 'provisioned');
    expect(receiver.effectsOf(key)).toBe(1);
    expect(((await (await fetch(parked, { headers: management })).json()) as { items: unknown[] }).items).toEqual([]);
    expect((await fetch(`${parked}/${key}/retry`, { method: 'POST', headers: management })).status).toBe(404);
  });

  it('serves liveness to anyone, and readiness, metrics and parked events to the management token only', async () => {
    const base = `http://127.0.0.1:${provisioning!.port}`;
    expect((await fetch(`${base}/health`)).status).toBe(200);
    for (const path of ['/health/ready', '/metrics', '/parked']) {
      expect((await fetch(`${base}${path}`)).status).toBe(401);
      expect((await fetch(`${base}${path}`, { headers: bearer(org.leadToken) })).status).toBe(401);
    }
    const ready = await fetch(`${base}/health/ready`, { headers: { Authorization: `Bearer ${TEST_MANAGEMENT_TOKEN}` } });
    expect(ready.status).toBe(200);
    expect((await ready.json()) as object).toMatchObject({ status: 'ok', info: { checkpointStore: { status: 'up' }, source: { status: 'up', kind: 'feed', lagEvents: expect.any(Number) } } });
    const metrics = await (await fetch(`${base}/metrics`, { headers: { Authorization: `Bearer ${TEST_MANAGEMENT_TOKEN}` } })).text();
    expect(metrics).toMatch(/^provisioning_attempts_total\{provider="webhook",result="retryable"\} [1-9]/m);
    expect(metrics).toMatch(/^provisioning_failures_total\{action="grant-application-access"\} 1$/m);
    expect(metrics).toMatch(/^provisioning_parked_events 0$/m);
    expect(metrics).toMatch(/^provisioning_lag_events \d+$/m);
  });

  it('refuses to start a second consumer on the same checkpoint', async () => {
    await expect(start()).rejects.toThrow(/Another provisioning process holds/);
  });
});
