import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ParsedMail, simpleParser } from 'mailparser';
import { RecordedEvent } from '@access-ledger/core';
import { waitForCheckpoints } from '@access-ledger/projection-runner';
import { SqliteReadStore } from '@access-ledger/read-store';
import { NOTIFICATIONS, mailIdOf } from '@access-ledger/reactors';
import { TestApi, bearer, startApi } from './support/api';
import { OrgFixture, addUser, registerOrg } from './support/directory';
import { addProfessional, assign, createWorkflow, enrol, participant } from './support/care';

/**
 * The embedded default: the API runs the notifications reactor in process and writes each mail
 * as an .eml file to DATA_DIR/outbox. Read back as a mail client would (mailparser): who it goes
 * to, the subject, the links, both parts; once per event and recipient, after a restart too.
 */
describe('notifications to the outbox', () => {
  const BASE = 'https://access.example.org/ledger';
  const env = { PUBLIC_BASE_URL: BASE, MAIL_FROM: 'Access Ledger <no-reply@access.example.org>' };
  let dataDir: string;
  let api: TestApi;
  let org: OrgFixture;
  let sam: { id: string; email: string };
  let rita: { id: string; email: string };
  let approvedId: string;
  let rejectedId: string;
  let assignmentId: string;
  let pat: { id: string; token: string };
  /** Everyone added to the directory, in order. */
  const added: string[] = [];

  const outbox = () => join(dataDir, 'outbox');
  const files = () => readdirSync(outbox()).sort();
  interface Mail extends ParsedMail {
    readonly file: string;
    readonly toAddress: string;
  }
  const mails = async (): Promise<Mail[]> =>
    Promise.all(
      files().map(async (file) => {
        const parsed = await simpleParser(readFileSync(join(outbox(), file)));
        const to = Array.isArray(parsed.to) ? parsed.to[0] : parsed.to;
        return Object.assign(parsed, { file, toAddress: to!.value[0].address! });
      }),
    );
  const mailsOf = async (type: string) => (await mails()).filter((m) => m.file.includes(`-${type}-`));
  /** Until the notifications reactor has passed every event recorded so far. */
  const notified = async () => expect(await waitForCheckpoints(api.reads, [NOTIFICATIONS], await api.events.headPosition(), 15_000)).toBe(true);
  const eventOf = async (stream: string, type: string): Promise<RecordedEvent> => (await api.events.readStream(stream)).find((e) => e.type === type)!;
  const act = async (path: string, token: string, body: Record<string, unknown> = {}) => {
    const response = await api.http.post(path).set(bearer(token)).send(body);
    if (response.status >= 300) throw new Error(`${path}: ${response.status} ${JSON.stringify(response.body)}`);
    return response.body;
  };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'al-notify-'));
    api = await startApi({ ...env, DATA_DIR: dataDir });
    const admin = await api.token({ email: 'ops@platform.example', roles: ['platform_admin'] });
    // Markup in what people typed reaches the HTML part escaped.
    org = await registerOrg(api, admin, 'Hollybrook <Surgery> & Partners');
    sam = await addUser(api, org, { firstName: 'Sam', lastName: 'Spoc', spoc: true });
    const dora = await addUser(api, org, { firstName: 'Dora', lastName: 'Gone', spoc: true });
    await act(`/organisations/${org.orgId}/users/${dora.id}/deactivate`, org.leadToken);
    rita = await addUser(api, org, { firstName: 'Rita', lastName: 'Requester', spoc: true });
    const ritaToken = await api.token({ email: rita.email, name: 'Rita Requester' });
    const samToken = await api.token({ email: sam.email });

    const approved = await act('/requests', ritaToken, { organisationId: org.orgId, application: 'ehr-viewer' });
    approvedId = approved.id;
    await act(`/requests/${approvedId}/submit`, ritaToken);
    await act(`/requests/${approvedId}/approve`, samToken, { confirm: true, comment: 'Enjoy & welcome' });
    const rejected = await act('/requests', ritaToken, { organisationId: org.orgId, application: 'lab-results' });
    rejectedId = rejected.id;
    await act(`/requests/${rejectedId}/submit`, ritaToken);
    await act(`/requests/${rejectedId}/reject`, samToken, { reason: 'Not needed for a <recorder>\nAsk your lead' });

    const workflowId = await createWorkflow(api, org, { name: 'Coaching', allowAppendProfessionals: true });
    const pia = await addProfessional(api, org);
    added.push(org.leadEmail, sam.email, dora.email, rita.email, pia.email);
    pat = await participant(api, 'Pat Participant');
    // Not allowing professionals to be appended: an assignment waits for their consent, asked by mail.
    await enrol(api, pat.token, workflowId, { appendConsent: false });
    const assigned = await assign(api, org, { workflowId, professionalId: pia.id, participantIds: [pat.id], reason: 'Follow-up <after> surgery' });
    expect(assigned.status).toBe(201);
    assignmentId = assigned.body.assignments[0].id;
    await notified();
  });
  afterAll(async () => {
    await api.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('welcomes every user added, with their organisation and a link to their account', async () => {
    const welcome = await mailsOf('UserAdded');
    expect(welcome.map((m) => m.toAddress).sort()).toEqual([...added].sort());
    const toSam = welcome.find((m) => m.toAddress === sam.email)!;
    expect(toSam.subject).toBe('Welcome to Hollybrook <Surgery> & Partners on Access Ledger');
    expect(toSam.from?.value).toEqual([{ name: 'Access Ledger', address: 'no-reply@access.example.org' }]);
    expect(toSam.text).toContain('You have been added to Hollybrook <Surgery> & Partners as recorder. You are also a SPOC');
    expect(toSam.text).toContain(`${BASE}/me`);
    expect(toSam.html).toContain('Hollybrook &lt;Surgery&gt; &amp; Partners');
    expect(toSam.html).not.toContain('<Surgery>');
    expect(toSam.html).toContain(`<a href="${BASE}/me">Your account</a>`);
    const event = await eventOf(`user-${sam.id}`, 'UserAdded');
    expect(toSam.messageId).toBe(`<${mailIdOf(event.eventId, sam.email)}@access.example.org>`);
    // The Date header is the event's time (to the second: RFC 5322 has no smaller unit).
    expect(toSam.date?.getTime()).toBe(Math.floor(Date.parse(event.metadata.occurredAt) / 1000) * 1000);
  });

  it('asks the active SPOCs to decide a submitted request, but neither the requester (a SPOC too) nor a deactivated SPOC', async () => {
    const asked = await mailsOf('ApprovalRequested');
    // Two requests, each to Lena (the lead, a SPOC) and Sam.
    expect(asked.map((m) => m.toAddress).sort()).toEqual([org.leadEmail, org.leadEmail, sam.email, sam.email].sort());
    const toSam = asked.find((m) => m.toAddress === sam.email && m.text!.includes('ehr-viewer'))!;
    expect(toSam.subject).toBe('Access request for ehr-viewer awaits your decision');
    expect(toSam.to).toMatchObject({ value: [{ name: 'Sam Spoc', address: sam.email }] });
    expect(toSam.text).toContain(`Rita Requester (${rita.email}) asks for access to ehr-viewer for Hollybrook <Surgery> & Partners.`);
    const overview = `${BASE}/organisations/${org.orgId}/requests?status=approval_requested`;
    expect(toSam.text).toContain(overview);
    expect(toSam.html).toContain(`<a href="${overview}">Open the requests awaiting a decision</a>`);
  });

  it('tells the requester of the approval with the comment, and of the rejection with the reason', async () => {
    const [approved] = await mailsOf('RequestApproved');
    expect(approved.toAddress).toBe(rita.email);
    expect(approved.subject).toBe('Your access request for ehr-viewer was approved');
    expect(approved.text).toContain('> Enjoy & welcome');
    expect(approved.text).toContain(`${BASE}/requests/${approvedId}`);
    expect(approved.html).toContain('<blockquote>Enjoy &amp; welcome</blockquote>');

    const rejectedMails = await mailsOf('RequestRejected');
    expect(rejectedMails).toHaveLength(1);
    const [rejected] = rejectedMails;
    expect(rejected.toAddress).toBe(rita.email);
    expect(rejected.subject).toBe('Your access request for lab-results was rejected');
    expect(rejected.text).toContain('The reason given:\n\n> Not needed for a <recorder>\n> Ask your lead');
    expect(rejected.html).toContain('<blockquote>Not needed for a &lt;recorder&gt;<br>Ask your lead</blockquote>');
    expect(rejected.html).toContain(`<a href="${BASE}/requests/${rejectedId}">Your request</a>`);
  });

  it('asks the participant for consent at the address their token carried, with the link to accept or decline', async () => {
    const [asked, ...others] = await mailsOf('ConsentRequested');
    expect(others).toEqual([]);
    expect(asked.to).toMatchObject({ value: [{ name: 'Pat Participant', address: `${pat.id}@people.example` }] });
    expect(asked.subject).toBe('Pia Professional asks to see your results in Coaching');
    expect(asked.text).toContain('> Follow-up <after> surgery');
    const consent = `${BASE}/assignments/${assignmentId}/consent`;
    expect(asked.text).toContain(`Accept or decline:\n${consent}`);
    expect(asked.html).toContain(`<a href="${consent}">Accept or decline</a>`);
    expect(asked.html).toContain('Follow-up &lt;after&gt; surgery');
  });

  it('writes each mail once: after a restart that delivers every event again, no file is added or changed; new events are mailed', async () => {
    const before = new Map(files().map((f) => [f, readFileSync(join(outbox(), f))]));
    expect(before.size).toBe(5 + 4 + 1 + 1 + 1);
    await api.close();
    // As if the process had stopped before the reactor wrote any checkpoint: everything comes again.
    const reads = new SqliteReadStore({ file: join(dataDir, 'read.db') });
    await reads.applyChanges(NOTIFICATIONS, [], -1);
    await reads.close();

    api = await startApi({ ...env, DATA_DIR: dataDir });
    const newcomer = await addUser(api, { ...org, leadToken: await api.token({ email: org.leadEmail }) }, { firstName: 'Nia' });
    await notified();
    const after = files();
    expect(after.filter((f) => !before.has(f))).toEqual([expect.stringContaining('-UserAdded-')]);
    expect((await mailsOf('UserAdded')).filter((m) => m.toAddress === newcomer.email)).toHaveLength(1);
    for (const [file, content] of before) expect(readFileSync(join(outbox(), file))).toEqual(content);
  });
});
