/**
 * The notifications' words: one function per mail, each a subject and a few blocks (paragraphs,
 * a quoted text, a link) that `render` turns into the plain-text part and the HTML part. Both
 * parts come from the same blocks, so they say the same thing, and every value reaches the HTML
 * through `escapeHtml` (no template engine: five mails of a few lines each need none). Pure.
 */
export interface MailContent {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

type Block = { readonly p: string } | { readonly quote: string } | { readonly link: string; readonly url: string };

/** Text for HTML element content and double-quoted attribute values. */
export const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A subject is one line: line breaks and runs of spaces become one space. */
const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim();

export function render(subject: string, blocks: readonly Block[]): MailContent {
  const text = blocks
    .map((b) => ('p' in b ? b.p : 'quote' in b ? b.quote.split('\n').map((line) => `> ${line}`).join('\n') : `${b.link}:\n${b.url}`))
    .join('\n\n');
  const body = blocks
    .map((b) =>
      'p' in b
        ? `<p>${escapeHtml(b.p)}</p>`
        : 'quote' in b
          ? `<blockquote>${escapeHtml(b.quote).replace(/\n/g, '<br>')}</blockquote>`
          : `<p><a href="${escapeHtml(b.url)}">${escapeHtml(b.link)}</a></p>`,
    )
    .join('\n');
  const title = oneLine(subject);
  return {
    subject: title,
    text: `${text}\n`,
    html: `<!doctype html>\n<html lang="en">\n<head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>\n<body>\n${body}\n</body>\n</html>\n`,
  };
}

const hello = (name: string | null) => (name ? `Hello ${name},` : 'Hello,');
const SIGNATURE = { p: 'This message was sent by Access Ledger. Please do not reply to it.' };

/** An instant as people read it here: `2026-03-20 14:30 UTC`. */
export const readableInstant = (iso: string): string => `${new Date(iso).toISOString().slice(0, 16).replace('T', ' ')} UTC`;

export interface ApprovalRequestedMail {
  readonly spocName: string | null;
  readonly organisationName: string;
  readonly application: string;
  readonly requester: { readonly name: string | null; readonly email: string };
  readonly overviewUrl: string;
}

/** To each SPOC of the organisation: a request waits for their decision. */
export const approvalRequestedMail = (m: ApprovalRequestedMail): MailContent => {
  const who = m.requester.name ? `${m.requester.name} (${m.requester.email})` : m.requester.email;
  return render(`Access request for ${m.application} awaits your decision`, [
    { p: hello(m.spocName) },
    { p: `${who} asks for access to ${m.application} for ${m.organisationName}. As a SPOC of ${m.organisationName}, you may approve or reject the request.` },
    { link: 'Open the requests awaiting a decision', url: m.overviewUrl },
    SIGNATURE,
  ]);
};

export interface WelcomeMail {
  readonly firstName: string;
  readonly organisationName: string;
  readonly permissionLevel: string;
  readonly spoc: boolean;
  readonly professional: boolean;
  readonly accountUrl: string;
}

const LEVEL_NAMES: Readonly<Record<string, string>> = { recorder: 'recorder', administrator: 'administrator', lead_administrator: 'lead administrator' };

/** To a user just added to the directory. */
export const welcomeMail = (m: WelcomeMail): MailContent => {
  const roles = [m.spoc ? 'a SPOC (you decide access requests)' : null, m.professional ? 'a professional (participants may let you see their results)' : null].filter((r) => r !== null);
  return render(`Welcome to ${m.organisationName} on Access Ledger`, [
    { p: hello(m.firstName) },
    { p: `You have been added to ${m.organisationName} as ${LEVEL_NAMES[m.permissionLevel] ?? m.permissionLevel}.${roles.length > 0 ? ` You are also ${roles.join(' and ')}.` : ''}` },
    { p: 'Sign in with this e-mail address to start.' },
    { link: 'Your account', url: m.accountUrl },
    SIGNATURE,
  ]);
};

export interface ConsentRequestedMail {
  readonly participantName: string | null;
  readonly professionalName: string;
  readonly workflowName: string;
  readonly reason: string;
  readonly endDate: string;
  readonly consentUrl: string;
}

/** To the participant: may this professional see their results? Answered on the consent page, never by the link alone. */
export const consentRequestedMail = (m: ConsentRequestedMail): MailContent =>
  render(`${m.professionalName} asks to see your results in ${m.workflowName}`, [
    { p: hello(m.participantName) },
    { p: `${m.professionalName} has been assigned to you in ${m.workflowName} and asks to see your results until ${readableInstant(m.endDate)}. The reason given:` },
    { quote: m.reason },
    { p: 'Nothing is shared unless you accept. You may decline, and you may withdraw your consent later.' },
    { link: 'Accept or decline', url: m.consentUrl },
    SIGNATURE,
  ]);

export interface RequestDecidedMail {
  readonly requesterName: string | null;
  readonly application: string;
  readonly organisationName: string;
  readonly requestUrl: string;
}

/** To the requester: approved (with the SPOC's comment, if any). */
export const requestApprovedMail = (m: RequestDecidedMail & { readonly comment: string | null }): MailContent =>
  render(`Your access request for ${m.application} was approved`, [
    { p: hello(m.requesterName) },
    { p: `Your request for access to ${m.application} for ${m.organisationName} was approved. Your account is being set up; you will be able to use ${m.application} once it is ready.` },
    ...(m.comment ? [{ p: 'The comment given:' }, { quote: m.comment }] : []),
    { link: 'Your request', url: m.requestUrl },
    SIGNATURE,
  ]);

/** To the requester: rejected, and why. */
export const requestRejectedMail = (m: RequestDecidedMail & { readonly reason: string }): MailContent =>
  render(`Your access request for ${m.application} was rejected`, [
    { p: hello(m.requesterName) },
    { p: `Your request for access to ${m.application} for ${m.organisationName} was rejected. The reason given:` },
    { quote: m.reason },
    { link: 'Your request', url: m.requestUrl },
    SIGNATURE,
  ]);
