import type { AddressInfo } from 'node:net';
import { newId } from '@access-ledger/core';
import { ApiClient, PersistentSubscriptionConsumer, ProvisioningMetrics, ProvisioningWorker, WebhookProvider, tokenSource } from '@access-ledger/provisioning-service';
import { WebhookReceiver } from '../libs/provisioning-service/src/testing/webhook-receiver';
import { TEST_SECRET, TestApi, bearer, startApi } from './support/api';
import { eventually } from './support/provisioning';

// Runs against a real server only, e.g. EVENTSTORE_CONNECTION_STRING=esdb://localhost:2113?tls=false
const connectionString = process.env.EVENTSTORE_CONNECTION_STRING;
const SECRET = 'esdb-webhook-secret-esdb-webhook-secret-01';
const silent = { log: () => undefined, warn: () => undefined, error: () => undefined };

(connectionString ? describe : describe.skip)('provisioning from an EventStoreDB persistent subscription group (two competing instances)', () => {
  let api: TestApi;
  let receiver: WebhookReceiver;
  const refused = new Set<string>();
  const stops: AbortController[] = [];
  let instances: PersistentSubscriptionConsumer[] = [];

  beforeAll(async () => {
    api = await startApi({ EVENT_STORE: 'eventstoredb', EVENTSTORE_CONNECTION_STRING: connectionString! });
    receiver = new WebhookReceiver(SECRET, ({ body }) => ({ status: refused.has(body.subject.userId) ? 422 : 200 }));
    const url = await receiver.start();
    const apiUrl = `http://127.0.0.1:${(api.app.getHttpServer().address() as AddressInfo).port}`;
    const group = `provisioning-test-${newId()}`;
    instances = [1, 2].map(() => {
      const worker = new ProvisioningWorker({
        client: new ApiClient(apiUrl, tokenSource({ kind: 'mint', secret: TEST_SECRET }), 5000),
        provider: new WebhookProvider({ url, secret: SECRET, timeoutMs: 5000 }),
        policy: { maxAttempts: 2, baseDelayMs: 10, maxDelayMs: 50 },
        metrics: new ProvisioningMetrics({ processDefaults: false }),
        logger: silent,
      });
      return new PersistentSubscriptionConsumer(worker, silent, { connectionString: connectionString!, group, startFrom: 'end' });
    });
    // The group starts at the end of $all as it is now: what other runs left on the server is not ours.
    await instances[0].ensureGroup();
    for (const instance of instances) {
      const stop = new AbortController();
      stops.push(stop);
      void instance.run(stop.signal);
    }
  });
  afterAll(async () => {
    for (const stop of stops) stop.abort();
    for (const instance of instances) await instance.close();
    await receiver.stop();
    await api.close();
  });

  it('provisions each added user once between the instances, acks them, and parks a refused one reported failed', async () => {
    const admin = await api.token({ email: 'ops@platform.example', roles: ['platform_admin'] });
    const org = await api.http.post('/organisations').set(bearer(admin)).send({ name: `ESDB ${newId().slice(0, 6)}` });
    const users: string[] = [];
    for (let i = 0; i < 12; i += 1) {
      const added = await api.http
        .post(`/organisations/${org.body.id}/users`)
        .set(bearer(admin))
        .send({ firstName: 'Una', lastName: `User${i}`, email: `esdb-${newId()}@example.org`, clinician: false, permissionLevel: i === 0 ? 'lead_administrator' : 'recorder' });
      users.push(added.body.id);
      if (i === 5) refused.add(added.body.id);
    }
    const account = async (userId: string) => {
      const list = await api.http.get(`/organisations/${org.body.id}/users`).set(bearer(admin));
      return (list.body.items as { id: string; account: { status: string } }[]).find((u) => u.id === userId)?.account.status;
    };
    for (const userId of users) {
      const expected = refused.has(userId) ? 'failed' : 'provisioned';
      await eventually(async () => ((await account(userId)) === expected ? true : undefined), `${userId} ${expected}`);
    }
    const keys = await Promise.all(users.map(async (id) => (await api.events.readStream(`user-${id}`)).find((e) => e.type === 'UserAdded')!.eventId));
    for (const [i, key] of keys.entries()) expect(receiver.effectsOf(key)).toBe(refused.has(users[i]) ? 0 : 1);
    expect(instances[0].handled + instances[1].handled).toBeGreaterThanOrEqual(users.length);
    process.stdout.write(`[eventstoredb] the two instances handled ${instances[0].handled} and ${instances[1].handled} events\n`);
  });
});

if (!connectionString) {
  describe('provisioning from an EventStoreDB persistent subscription group', () => {
    it.skip('needs EVENTSTORE_CONNECTION_STRING (for example esdb://localhost:2113?tls=false)', () => undefined);
  });
}
