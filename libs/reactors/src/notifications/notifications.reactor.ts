import { Logger } from '@nestjs/common';
import { Recorded, RecordedEvent } from '@access-ledger/core';
import { AccessRequestEvent, accessRequestEvents } from '@access-ledger/access-requests';
import { ParticipantEvent, participantEvents } from '@access-ledger/care-access';
import { UserEvent, normaliseEmail, userEvents } from '@access-ledger/directory';
import { Reactor } from '@access-ledger/projection-runner';
import type { ReactorFactory } from '@access-ledger/platform';
import { MailLedger, Mailer, OutgoingMail, outgoingMail, transportFor } from './mailer';
import { Recipients } from './recipients';
import { MailContent, approvalRequestedMail, consentRequestedMail, requestApprovedMail, requestRejectedMail, welcomeMail } from './templates';

/** The reactor's name: its checkpoint, `npm run reactors:retry -- notifications <position>`. */
export const NOTIFICATIONS = 'notifications';

export const NOTIFIED_EVENT_TYPES = ['ApprovalRequested', 'UserAdded', 'ConsentRequested', 'RequestApproved', 'RequestRejected'] as const;

/** Where the links in the mails point: the service's own resource paths under PUBLIC_BASE_URL. */
export class Links {
  constructor(private readonly base: string) {}

  private url(path: string): string {
    return `${this.base}${path.startsWith('/') ? path : `/${path}`}`;
  }

  overview(organisationId: string): string {
    return this.url(`/organisations/${encodeURIComponent(organisationId)}/requests?status=approval_requested`);
  }
  request(requestId: string): string {
    return this.url(`/requests/${encodeURIComponent(requestId)}`);
  }
  account(): string {
    return this.url('/me');
  }
  /** `consentPath` as the event recorded it (`/assignments/<id>/consent`). */
  consent(consentPath: string): string {
    return this.url(consentPath);
  }
}

export interface NotificationsOptions {
  readonly recipients: Recipients;
  readonly mailer: Mailer;
  readonly links: Links;
  readonly from: string;
  readonly logger?: Pick<Logger, 'warn'>;
}

/**
 * Mails people when something concerns them: the SPOCs when a request awaits their decision,
 * a user added to the directory, a participant asked for consent, a requester decided on.
 *
 * Idempotent by event id: each mail's id is derived from the event id and the recipient, the
 * mailer skips a mail already sent, and an outbox file is never written twice. An event whose
 * mail fails (an SMTP refusal, a read model behind) throws, so the runner tries it again and
 * parks it after its attempts; the mails of the event already sent are not sent again then.
 */
export class Notifications implements Reactor {
  readonly name = NOTIFICATIONS;
  readonly handles: readonly string[] = NOTIFIED_EVENT_TYPES;
  private readonly logger: Pick<Logger, 'warn'>;

  constructor(private readonly options: NotificationsOptions) {
    this.logger = options.logger ?? new Logger('Notifications');
  }

  async react(event: RecordedEvent): Promise<void> {
    for (const mail of await this.mailsOf(event)) await this.options.mailer.deliver(mail);
  }

  /** The mails an event causes, one per recipient; each event read through its context's catalogue. */
  async mailsOf(recorded: RecordedEvent): Promise<OutgoingMail[]> {
    const envelope = { eventId: recorded.eventId, type: recorded.type, position: recorded.position, occurredAt: recorded.metadata.occurredAt };
    const mail: MailOf = (to, content) => outgoingMail(this.options.from, envelope, to, content);
    if (accessRequestEvents.includes(recorded.type)) return this.ofRequest(accessRequestEvents.parse(recorded), mail);
    if (userEvents.includes(recorded.type)) return this.ofUser(userEvents.parse(recorded), mail);
    if (participantEvents.includes(recorded.type)) return this.ofParticipant(participantEvents.parse(recorded), mail);
    return [];
  }

  private async ofRequest(event: Recorded<AccessRequestEvent>, mail: MailOf): Promise<OutgoingMail[]> {
    const { recipients, links } = this.options;
    switch (event.type) {
      case 'ApprovalRequested': {
        const { data } = event;
        // The requester may be a SPOC too, but never decides their own request (separation of duties).
        const spocs = (await recipients.spocsOf(data.organisationId, event.position)).filter((s) => s.email !== normaliseEmail(data.requester.email));
        if (spocs.length === 0) {
          this.logger.warn({ msg: 'No SPOC to notify of a request awaiting a decision', organisationId: data.organisationId, requestId: data.requestId, position: event.position });
          return [];
        }
        const organisationName = await recipients.organisationName(data.organisationId);
        const overviewUrl = links.overview(data.organisationId);
        return spocs.map((spoc) =>
          mail(
            { name: `${spoc.firstName} ${spoc.lastName}`, address: spoc.email },
            approvalRequestedMail({ spocName: spoc.firstName, organisationName, application: data.application, requester: data.requester, overviewUrl }),
          ),
        );
      }
      case 'RequestApproved':
      case 'RequestRejected': {
        // RequestRejected does not name the requester: the request's stream up to the event does.
        const request = await recipients.requestAt(event);
        const decided = {
          requesterName: request.requester.name,
          application: request.application,
          organisationName: await recipients.organisationName(request.organisationId),
          requestUrl: links.request(request.requestId),
        };
        const to = { name: request.requester.name, address: request.requester.email };
        return [mail(to, event.type === 'RequestApproved' ? requestApprovedMail({ ...decided, comment: event.data.comment }) : requestRejectedMail({ ...decided, reason: event.data.reason }))];
      }
      default:
        return [];
    }
  }

  private async ofUser(event: Recorded<UserEvent>, mail: MailOf): Promise<OutgoingMail[]> {
    if (event.type !== 'UserAdded') return [];
    const { data } = event;
    const organisationName = await this.options.recipients.organisationName(data.organisationId);
    const content = welcomeMail({ firstName: data.firstName, organisationName, permissionLevel: data.permissionLevel, spoc: data.spoc, professional: data.professional, accountUrl: this.options.links.account() });
    return [mail({ name: `${data.firstName} ${data.lastName}`, address: data.email }, content)];
  }

  private async ofParticipant(event: Recorded<ParticipantEvent>, mail: MailOf): Promise<OutgoingMail[]> {
    if (event.type !== 'ConsentRequested') return [];
    const { data } = event;
    // The address the participant's token carried when they enrolled, recorded in the event.
    const content = consentRequestedMail({
      participantName: data.participant.name,
      professionalName: data.professional.name,
      workflowName: data.workflowName,
      reason: data.reason,
      endDate: data.endDate,
      consentUrl: this.options.links.consent(data.consentPath),
    });
    return [mail({ name: data.participant.name, address: data.participant.email }, content)];
  }
}

type MailOf = (to: OutgoingMail['to'], content: MailContent) => OutgoingMail;

/** The notifications reactor as the apps list it: the mail transport of MAIL_* / SMTP_URL, links under PUBLIC_BASE_URL. */
export const notificationsReactor: ReactorFactory = ({ events, readStore, config }) =>
  new Notifications({
    recipients: new Recipients(events, readStore, config.readWaitTimeoutMs),
    mailer: new Mailer(transportFor(config.mail.transport), new MailLedger(readStore, NOTIFICATIONS)),
    links: new Links(config.publicBaseUrl),
    from: config.mail.from,
  });
