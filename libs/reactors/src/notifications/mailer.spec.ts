import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { SqliteReadStore } from '@access-ledger/read-store';
import { MailLedger, MailTransport, Mailer, NOTIFICATION_MAILS, OutboxTransport, OutgoingMail, mailIdOf, outgoingMail } from './mailer';
import { render } from './templates';

const mailTo = (address: string, eventId = '5b2f7f0e-4f5c-4f0e-9a43-7d1f7c3f0a11'): OutgoingMail =>
  outgoingMail(
    'Access Ledger <no-reply@access.example.org>',
    { eventId, type: 'UserAdded', position: 7, occurredAt: '2026-03-01T10:00:00.000Z' },
    { name: 'Ann Ó Brien', address },
    render('Welcome', [{ p: 'Hello <Ann>' }, { link: 'Your account', url: 'https://access.example.org/me' }]),
  );

describe('mails', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'al-mail-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('are named by event and recipient: the same pair is the same mail, whatever the address’s case', () => {
    const mail = mailTo('Ann@Example.org');
    expect(mail.id).toBe(mailIdOf(mail.event.eventId, 'ann@example.org'));
    expect(mail.messageId).toBe(`<${mail.id}@access.example.org>`);
    expect(mailTo('ann@example.org').id).toBe(mail.id);
    expect(mailTo('bo@example.org').id).not.toBe(mail.id);
    expect(mailTo('ann@example.org', '0c4d0c1e-0000-4000-8000-000000000000').id).not.toBe(mail.id);
  });

  it('go to the outbox as one .eml file each, a whole RFC 5322 message with both parts, never written twice', async () => {
    const outbox = new OutboxTransport(join(dir, 'outbox'));
    const mail = mailTo('ann@example.org');
    await outbox.send(mail);
    const [name, ...others] = readdirSync(join(dir, 'outbox'));
    expect(others).toEqual([]);
    expect(name).toBe(`2026-03-01T10-00-00.000Z-UserAdded-${mail.id}.eml`);
    const file = join(dir, 'outbox', name);
    const raw = readFileSync(file);
    expect(raw.toString()).toMatch(/^[^\n]*\r\n/);
    expect(raw.toString()).not.toMatch(/[^\r]\n/);
    const parsed = await simpleParser(raw);
    expect(parsed.messageId).toBe(mail.messageId);
    expect(parsed.date?.toISOString()).toBe('2026-03-01T10:00:00.000Z');
    expect(parsed.from?.value).toEqual([{ name: 'Access Ledger', address: 'no-reply@access.example.org' }]);
    expect(parsed.to).toMatchObject({ value: [{ name: 'Ann Ó Brien', address: 'ann@example.org' }] });
    expect(parsed.subject).toBe('Welcome');
    expect(parsed.text).toBe(mail.text);
    expect(parsed.html).toBe(mail.html);
    expect(parsed.headers.get('auto-submitted')).toBe('auto-generated');

    // Sent again (a redelivery whose ledger entry was lost): the file stays as it was, and no other appears.
    const before = statSync(file);
    await outbox.send({ ...mail, subject: 'changed' });
    expect(readdirSync(join(dir, 'outbox'))).toEqual([name]);
    expect(readFileSync(file)).toEqual(raw);
    expect(statSync(file).mtimeMs).toBe(before.mtimeMs);
  });

  it('are sent once: the ledger in the read store remembers each mail sent, across instances', async () => {
    const reads = new SqliteReadStore({ file: join(dir, 'read.db') });
    const sent: string[] = [];
    let refuse = false;
    const transport: MailTransport = {
      send: async (mail) => {
        if (refuse) throw new Error('451 try again later');
        sent.push(mail.to.address);
      },
    };
    try {
      const mailer = new Mailer(transport, new MailLedger(reads, 'notifications'), () => new Date('2026-03-01T10:00:05.000Z'));
      expect(await mailer.deliver(mailTo('ann@example.org'))).toBe(true);
      expect(await mailer.deliver(mailTo('ann@example.org'))).toBe(false);
      // Another process (the retry command) on the same store.
      expect(await new Mailer(transport, new MailLedger(reads, 'notifications')).deliver(mailTo('ann@example.org'))).toBe(false);
      // A refused mail is not recorded, so it is tried again.
      refuse = true;
      await expect(mailer.deliver(mailTo('bo@example.org'))).rejects.toThrow('451 try again later');
      refuse = false;
      expect(await mailer.deliver(mailTo('bo@example.org'))).toBe(true);
      expect(sent).toEqual(['ann@example.org', 'bo@example.org']);
      expect(await reads.get(NOTIFICATION_MAILS.name, mailTo('ann@example.org').id)).toEqual({
        id: mailTo('ann@example.org').id,
        messageId: mailTo('ann@example.org').messageId,
        to: 'ann@example.org',
        eventId: '5b2f7f0e-4f5c-4f0e-9a43-7d1f7c3f0a11',
        eventType: 'UserAdded',
        position: 7,
        sentAt: '2026-03-01T10:00:05.000Z',
      });
      // The reactor's checkpoint, under whose key the entries are written, is left as it was.
      expect(await reads.getCheckpoint('notifications')).toBe(-1);
    } finally {
      await reads.close();
    }
  });
});
