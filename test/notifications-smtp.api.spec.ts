import { INestApplication } from '@nestjs/common';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { ParsedMail, simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { RecordedEvent } from '@access-ledger/core';
import { AppConfig, Consumers, loadConfig } from '@access-ledger/platform';
import { ParkedEvents, Reactor, waitForCheckpoints } from '@access-ledger/projection-runner';
import { DIRECTORY_USERS, projections } from '@access-ledger/projections';
import { NOTIFICATIONS, mailIdOf, reactors } from '@access-ledger/reactors';
import { createProjectorApp } from '../apps/projector/src/projector.module';
import { retryCommand } from '../apps/projector/src/retry';
import { TEST_MANAGEMENT_TOKEN, TestApi, bearer, startApi } from './support/api';
import { OrgFixture, addUser, registerOrg } from './support/directory';

/**
 * The production layout (the projector runs the reactors, the API only serves) with SMTP_URL
 * pointing at a real SMTP server started here (smtp-server): while it refuses, the notifications
 * reactor tries each mail, parks it after its attempts and goes on, and the other consumers
 * never wait for it; `reactors:retry` sends a parked mail once the server takes mail again.
 */
describe('notifications over SMTP', () => {
  /** What the server does: refuse every message (down), or refuse some recipients (an unknown mailbox). */
  const server = { down: false, refusedRecipients: new Set<string>() };
  /** Per recipient, each time a message for them reached DATA (refused or not), and each refusal of them as a recipient. */
  const attempts = new Map<string, number>();
  const refusals = new Map<string, number>();
  const received: ParsedMail[] = [];
  let smtp: SMTPServer;
  let api: TestApi;
  let config: AppConfig;
  let projector: INestApplication | undefined;
  let org: OrgFixture;
  let admin: string;

  /** Another reactor the projector runs beside the notifications: it must never wait for them. */
  const seen: string[] = [];
  const audience: Reactor = {
    name: 'audience',
    handles: ['UserAdded'],
    async react(event: RecordedEvent) {
      if (!seen.includes(event.eventId)) seen.push(event.eventId);
    },
  };
  const consumers: Consumers = { projections, reactors: [...reactors, audience] };

  const to = (mail: ParsedMail) => (Array.isArray(mail.to) ? mail.to[0] : mail.to)!.value[0].address;
  const receivedBy = (address: string) => received.filter((m) => to(m) === address);
  const settled = async () => {
    const head = await api.events.headPosition();
    expect(await waitForCheckpoints(api.reads, [NOTIFICATIONS, 'audience', DIRECTORY_USERS], head, 20_000)).toBe(true);
  };
  const parked = () => new ParkedEvents(api.reads).list(NOTIFICATIONS);
  const retry = async (position: number) => {
    const lines: string[] = [];
    const code = await retryCommand([NOTIFICATIONS, String(position)], config, { out: (l) => lines.push(l), err: (l) => lines.push(l) }, consumers);
    return { code, output: lines.join('\n') };
  };
  const startProjector = async () => {
    projector = await createProjectorApp(config, consumers);
    await projector.listen(0, '127.0.0.1');
  };

  beforeAll(async () => {
    smtp = new SMTPServer({
      disabledCommands: ['STARTTLS', 'AUTH'],
      authOptional: true,
      logger: false,
      onRcptTo(address, _session, callback) {
        if (!server.refusedRecipients.has(address.address)) return callback();
        refusals.set(address.address, (refusals.get(address.address) ?? 0) + 1);
        callback(Object.assign(new Error('Mailbox unavailable'), { responseCode: 550 }));
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          for (const r of session.envelope.rcptTo) attempts.set(r.address, (attempts.get(r.address) ?? 0) + 1);
          if (server.down) return callback(Object.assign(new Error('Service not available, try again later'), { responseCode: 451 }));
          simpleParser(Buffer.concat(chunks)).then((mail) => {
            received.push(mail);
            callback();
          }, callback);
        });
      },
    });
    await new Promise<void>((resolve) => smtp.listen(0, '127.0.0.1', resolve));
    const mailEnv = {
      SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
      MAIL_FROM: 'Access Ledger <no-reply@access.example.org>',
      PUBLIC_BASE_URL: 'https://access.example.org',
    };
    api = await startApi({ ...mailEnv, RUN_PROJECTIONS: 'false' });
    config = loadConfig(
      { ...mailEnv, DATA_DIR: api.dataDir, LOG_LEVEL: 'silent', MANAGEMENT_TOKEN: TEST_MANAGEMENT_TOKEN, EVENT_RETRY_ATTEMPTS: '3', EVENT_RETRY_DELAY_MS: '5' },
      { auth: false },
    );
    await startProjector();
    admin = await api.token({ email: 'ops@platform.example', roles: ['platform_admin'] });
  });
  afterAll(async () => {
    await projector?.close();
    await api.close();
    await new Promise<void>((resolve) => smtp.close(() => resolve()));
  });

  it('retries a mail the server refuses, parks it after the last attempt, and the projections and other reactors go on meanwhile', async () => {
    server.down = true;
    org = await registerOrg(api, admin, 'Hollybrook Surgery');
    const una = await addUser(api, org, { firstName: 'Una' });
    await settled();

    // Three attempts each (EVENT_RETRY_ATTEMPTS), none delivered.
    expect(attempts.get(org.leadEmail)).toBe(3);
    expect(attempts.get(una.email)).toBe(3);
    expect(received).toEqual([]);
    const entries = await parked();
    expect(entries.map((e) => e.type)).toEqual(['UserAdded', 'UserAdded']);
    expect(entries[0]).toMatchObject({ attempts: 3, error: expect.stringContaining('451') });
    // The other reactor and the read models did not wait.
    expect(seen).toHaveLength(2);
    const users = await api.http.get(`/organisations/${org.orgId}/users`).set(bearer(org.leadToken));
    expect(users.body.items.map((u: { email: string }) => u.email).sort()).toEqual([org.leadEmail, una.email].sort());
    const metrics = await request(projector!.getHttpServer()).get('/metrics').set(bearer(TEST_MANAGEMENT_TOKEN));
    expect(metrics.text).toContain(`parked_events{consumer="${NOTIFICATIONS}"} 2`);
  });

  it('sends a parked mail once with reactors:retry after the server is back: exit 1 while it still refuses, 0 then', async () => {
    const [lead] = await parked();
    expect(await retry(lead.position)).toMatchObject({ code: 1, output: expect.stringContaining('failed again') });
    server.down = false;
    for (const entry of await parked()) expect(await retry(entry.position)).toMatchObject({ code: 0, output: expect.stringContaining('went through') });
    expect(await parked()).toEqual([]);
    const [mail, ...more] = receivedBy(org.leadEmail);
    expect(more).toEqual([]);
    expect(mail.subject).toBe('Welcome to Hollybrook Surgery on Access Ledger');
    expect(mail.messageId).toBe(`<${mailIdOf(lead.eventId, org.leadEmail)}@access.example.org>`);
    expect(mail.text).toContain('https://access.example.org/me');
    // Once more: nothing is parked any longer, and nothing is sent.
    expect(await retry(lead.position)).toMatchObject({ code: 1, output: `${NOTIFICATIONS} has no parked event at position ${lead.position}` });
    expect(receivedBy(org.leadEmail)).toHaveLength(1);
  });

  it('sends the other recipients of an event at once, and after the retry only the one that was refused', async () => {
    const sam = await addUser(api, org, { firstName: 'Sam', spoc: true });
    await settled();
    server.refusedRecipients.add(sam.email);
    const requester = await api.token({ sub: 'sub-rita', email: 'rita@example.org', name: 'Rita Requester' });
    const created = await api.http.post('/requests').set(bearer(requester)).send({ organisationId: org.orgId, application: 'ehr-viewer' });
    await api.http.post(`/requests/${created.body.id}/submit`).set(bearer(requester)).send();
    await settled();
    const asked = (address: string) => receivedBy(address).filter((m) => m.subject === 'Access request for ehr-viewer awaits your decision');
    expect(asked(org.leadEmail)).toHaveLength(1);
    expect(asked(sam.email)).toHaveLength(0);
    expect(refusals.get(sam.email)).toBe(3);
    const [entry] = await parked();
    expect(entry).toMatchObject({ type: 'ApprovalRequested', error: expect.stringContaining('550') });

    server.refusedRecipients.clear();
    expect((await retry(entry.position)).code).toBe(0);
    expect(asked(sam.email)).toHaveLength(1);
    expect(asked(org.leadEmail)).toHaveLength(1);
  });

  it('sends nothing twice when the projector restarts and every event is delivered again', async () => {
    const before = received.length;
    expect(before).toBe(5);
    await projector!.close();
    projector = undefined;
    // As if it had stopped before writing any checkpoint.
    await api.reads.applyChanges(NOTIFICATIONS, [], -1);
    await startProjector();
    await settled();
    expect(received).toHaveLength(before);
    expect(await parked()).toEqual([]);
  });
});
