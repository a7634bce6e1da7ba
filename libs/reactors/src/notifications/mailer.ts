import { randomBytes } from 'node:crypto';
import { link, mkdir, open, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { SendMailOptions, Transporter } from 'nodemailer';
import { deriveId } from '@access-ledger/core';
import { CheckpointMovedError, CollectionSpec, ReadStore } from '@access-ledger/read-store';
import type { MailConfig } from '@access-ledger/platform';
import { MailContent } from './templates';

/**
 * One mail of one event to one recipient. Its `id` is derived from the event id and the
 * recipient's address, and so are its Message-ID and its outbox file name: however often the
 * event is delivered, it is the same mail.
 */
export interface OutgoingMail extends MailContent {
  readonly id: string;
  /** `<id@sender's domain>`. */
  readonly messageId: string;
  readonly from: string;
  readonly to: { readonly name: string | null; readonly address: string };
  /** When the event occurred: a redelivered mail is the same message, Date header included. */
  readonly date: string;
  readonly event: { readonly eventId: string; readonly type: string; readonly position: number };
}

export const mailIdOf = (eventId: string, address: string) => deriveId('mail', eventId, address.trim().toLowerCase());

/** The address part of `Name <address>` or of a bare address. */
const addressOf = (from: string): string => /<([^>]+)>$/.exec(from)?.[1] ?? from;

export function outgoingMail(
  from: string,
  event: OutgoingMail['event'] & { readonly occurredAt: string },
  to: OutgoingMail['to'],
  content: MailContent,
): OutgoingMail {
  const id = mailIdOf(event.eventId, to.address);
  const domain = addressOf(from).split('@').pop();
  return { ...content, id, messageId: `<${id}@${domain}>`, from, to, date: event.occurredAt, event: { eventId: event.eventId, type: event.type, position: event.position } };
}

const asNodemailer = (mail: OutgoingMail): SendMailOptions => ({
  messageId: mail.messageId,
  date: new Date(mail.date),
  from: mail.from,
  to: mail.to.name ? { name: mail.to.name, address: mail.to.address } : mail.to.address,
  subject: mail.subject,
  text: mail.text,
  html: mail.html,
  headers: { 'Auto-Submitted': 'auto-generated' },
});

/** nodemailer, loaded when the first mail is sent: a process that sends none (the API beside a projector) does not load it. */
const nodemailer = () => import('nodemailer');

/** Hands a mail to its destination: an SMTP server, or a file a person opens. */
export interface MailTransport {
  send(mail: OutgoingMail): Promise<void>;
}

/**
 * Each mail as an RFC 5322 message (`.eml`, CRLF line ends, built by nodemailer's stream
 * transport) in `dir`, named after its time, its event type and its id. A file is written
 * under a temporary name, flushed to disk and then linked to its name, which fails when a file
 * of that name exists: a mail written once is never written again, and no reader sees half a file.
 */
export class OutboxTransport implements MailTransport {
  private builder: Promise<Transporter> | undefined;

  constructor(readonly dir: string) {}

  static fileNameOf(mail: OutgoingMail): string {
    return `${mail.date.replace(/:/g, '-')}-${mail.event.type}-${mail.id}.eml`;
  }

  async send(mail: OutgoingMail): Promise<void> {
    this.builder ??= nodemailer().then((n) => n.createTransport({ streamTransport: true, buffer: true, newline: 'windows' }));
    const info = await (await this.builder).sendMail(asNodemailer(mail));
    await mkdir(this.dir, { recursive: true });
    const file = join(this.dir, OutboxTransport.fileNameOf(mail));
    const temporary = join(this.dir, `.${mail.id}.${randomBytes(6).toString('hex')}.tmp`);
    const handle = await open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(info.message as Buffer);
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await link(temporary, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      await unlink(temporary);
    }
    const folder = await open(this.dir, 'r');
    try {
      await folder.sync();
    } finally {
      await folder.close();
    }
  }
}

/**
 * Over SMTP (`SMTP_URL`, options such as `?pool=true` in its query), with timeouts short enough
 * that a server that hangs fails the attempt instead of holding the reactor for minutes.
 * A refusal (4xx, 5xx) or a lost connection throws: the runner retries, then parks.
 */
export class SmtpTransport implements MailTransport {
  private transport: Promise<Transporter> | undefined;

  constructor(private readonly url: string) {}

  async send(mail: OutgoingMail): Promise<void> {
    this.transport ??= nodemailer().then((n) => n.createTransport({ url: this.url, connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 }));
    const info = await (await this.transport).sendMail(asNodemailer(mail));
    if ((info.rejected ?? []).length > 0) throw new Error(`the SMTP server refused the recipient of mail ${mail.id}`);
  }
}

export const transportFor = (config: MailConfig['transport']): MailTransport =>
  config.kind === 'smtp' ? new SmtpTransport(config.url) : new OutboxTransport(config.dir);

/** What the ledger keeps of a mail sent (no content: that is in the event and the templates). */
export interface SentMail extends Record<string, unknown> {
  readonly id: string;
  readonly messageId: string;
  readonly to: string;
  readonly eventId: string;
  readonly eventType: string;
  readonly position: number;
  readonly sentAt: string;
}

export const NOTIFICATION_MAILS: CollectionSpec = { name: 'notification_mails', fields: ['eventId'], indexes: [['eventId']] };

/**
 * The mails sent, by mail id, in the read store: a mail found here is not sent again. That
 * keeps a redelivered batch (after a restart or a failed checkpoint write, up to 100 events)
 * from mailing its recipients twice; only a mail whose sending succeeded but whose entry was not
 * written (the process stopped in between) can go twice, with the same Message-ID.
 *
 * The entries are written under the reactor's own checkpoint key, which each write leaves as
 * it is (`expectedCheckpoint`, as the retry command re-applies a parked projection event): the
 * runner advancing it in between makes the write try again; nothing else shares the key.
 */
export class MailLedger {
  private ready: Promise<void> | undefined;

  constructor(
    private readonly store: ReadStore,
    private readonly consumer: string,
  ) {}

  async has(id: string): Promise<boolean> {
    await this.ensure();
    return (await this.store.get(NOTIFICATION_MAILS.name, id)) !== null;
  }

  async record(mail: OutgoingMail, sentAt: Date): Promise<void> {
    await this.ensure();
    const doc: SentMail = { id: mail.id, messageId: mail.messageId, to: mail.to.address, eventId: mail.event.eventId, eventType: mail.event.type, position: mail.event.position, sentAt: sentAt.toISOString() };
    for (let attempt = 1; ; attempt += 1) {
      const checkpoint = await this.store.getCheckpoint(this.consumer);
      try {
        await this.store.applyChanges(this.consumer, [{ op: 'upsert', collection: NOTIFICATION_MAILS.name, id: mail.id, doc, position: mail.event.position }], checkpoint, {
          expectedCheckpoint: checkpoint,
        });
        return;
      } catch (error) {
        if (!(error instanceof CheckpointMovedError) || attempt >= 20) throw error;
      }
    }
  }

  private ensure(): Promise<void> {
    this.ready ??= this.store.ensureCollection(NOTIFICATION_MAILS).catch((error) => {
      this.ready = undefined;
      throw error;
    });
    return this.ready;
  }
}

/** Sends each mail once: skipped when the ledger has it, recorded there once the transport took it. */
export class Mailer {
  constructor(
    private readonly transport: MailTransport,
    private readonly ledger: MailLedger,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** True when sent now, false when it had been sent before. */
  async deliver(mail: OutgoingMail): Promise<boolean> {
    if (await this.ledger.has(mail.id)) return false;
    await this.transport.send(mail);
    await this.ledger.record(mail, this.now());
    return true;
  }
}
