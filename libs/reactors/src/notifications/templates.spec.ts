import { approvalRequestedMail, consentRequestedMail, escapeHtml, readableInstant, render, requestApprovedMail, requestRejectedMail, welcomeMail } from './templates';

/** What a person typed, as hostile as the input rules let it be (they refuse controls, not markup). */
const HOSTILE = `<script>alert("x")</script> & 'Ο'Brien'`;
const ESCAPED = '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;Ο&#39;Brien&#39;';

describe('notification templates', () => {
  it('escapes the five characters that HTML gives a meaning, and nothing else', () => {
    expect(escapeHtml(HOSTILE)).toBe(ESCAPED);
    expect(escapeHtml('plain café – ok')).toBe('plain café – ok');
  });

  it('renders one set of blocks as plain text and as HTML that say the same, every value escaped in the HTML only', () => {
    const mail = render(`Re: ${HOSTILE}\nsecond line`, [{ p: HOSTILE }, { quote: `one ${HOSTILE}\ntwo` }, { link: 'Open <it>', url: 'https://x.example/a?b=1&c="2"' }]);
    expect(mail.subject).toBe(`Re: ${HOSTILE} second line`);
    expect(mail.text).toBe(`${HOSTILE}\n\n> one ${HOSTILE}\n> two\n\nOpen <it>:\nhttps://x.example/a?b=1&c="2"\n`);
    expect(mail.html).toContain(`<title>Re: ${ESCAPED} second line</title>`);
    expect(mail.html).toContain(`<p>${ESCAPED}</p>`);
    expect(mail.html).toContain(`<blockquote>one ${ESCAPED}<br>two</blockquote>`);
    expect(mail.html).toContain('<p><a href="https://x.example/a?b=1&amp;c=&quot;2&quot;">Open &lt;it&gt;</a></p>');
    expect(mail.html).not.toContain('<script>');
  });

  it('asks a SPOC to decide, naming the requester, the application and the organisation, with the overview link', () => {
    const mail = approvalRequestedMail({
      spocName: 'Sam',
      organisationName: 'Hollybrook <Surgery>',
      application: 'ehr-viewer',
      requester: { name: 'Rita Requester', email: 'rita@example.org' },
      overviewUrl: 'https://access.example.org/organisations/o-1/requests?status=approval_requested',
    });
    expect(mail.subject).toBe('Access request for ehr-viewer awaits your decision');
    expect(mail.text).toContain('Hello Sam,');
    expect(mail.text).toContain('Rita Requester (rita@example.org) asks for access to ehr-viewer for Hollybrook <Surgery>.');
    expect(mail.text).toContain('https://access.example.org/organisations/o-1/requests?status=approval_requested');
    expect(mail.html).toContain('for Hollybrook &lt;Surgery&gt;.');
    expect(mail.html).toContain('<a href="https://access.example.org/organisations/o-1/requests?status=approval_requested">');
    // Without a name, the address alone.
    expect(approvalRequestedMail({ spocName: null, organisationName: 'O', application: 'a', requester: { name: null, email: 'r@x.org' }, overviewUrl: 'u' }).text).toMatch(/^Hello,\n\nr@x\.org asks/);
  });

  it('welcomes a user with their level and designations', () => {
    const mail = welcomeMail({ firstName: 'Lena', organisationName: 'Hollybrook', permissionLevel: 'lead_administrator', spoc: true, professional: false, accountUrl: 'https://a.example/me' });
    expect(mail.subject).toBe('Welcome to Hollybrook on Access Ledger');
    expect(mail.text).toContain('You have been added to Hollybrook as lead administrator. You are also a SPOC (you decide access requests).');
    expect(welcomeMail({ firstName: 'Una', organisationName: 'H', permissionLevel: 'recorder', spoc: false, professional: false, accountUrl: 'u' }).text).toContain('as recorder.\n');
  });

  it('asks a participant for consent with the reason quoted and the link to answer', () => {
    const mail = consentRequestedMail({
      participantName: null,
      professionalName: 'Pia Professional',
      workflowName: 'Coaching',
      reason: 'Follow-up\n<b>twice</b>',
      endDate: '2026-03-20T14:30:00.000Z',
      consentUrl: 'https://a.example/assignments/as-1/consent',
    });
    expect(mail.subject).toBe('Pia Professional asks to see your results in Coaching');
    expect(mail.text).toContain('until 2026-03-20 14:30 UTC. The reason given:\n\n> Follow-up\n> <b>twice</b>\n');
    expect(mail.text).toContain('Accept or decline:\nhttps://a.example/assignments/as-1/consent');
    expect(mail.html).toContain('<blockquote>Follow-up<br>&lt;b&gt;twice&lt;/b&gt;</blockquote>');
  });

  it('tells the requester of the decision: the comment on approval when there is one, the reason on rejection', () => {
    const decided = { requesterName: 'Rita', application: 'ehr-viewer', organisationName: 'Hollybrook', requestUrl: 'https://a.example/requests/r-1' };
    expect(requestApprovedMail({ ...decided, comment: null }).text).not.toContain('comment');
    const approved = requestApprovedMail({ ...decided, comment: 'Welcome & enjoy' });
    expect(approved.subject).toBe('Your access request for ehr-viewer was approved');
    expect(approved.text).toContain('The comment given:\n\n> Welcome & enjoy');
    expect(approved.html).toContain('<blockquote>Welcome &amp; enjoy</blockquote>');
    const rejected = requestRejectedMail({ ...decided, reason: 'Not needed for <your> role' });
    expect(rejected.subject).toBe('Your access request for ehr-viewer was rejected');
    expect(rejected.text).toContain('was rejected. The reason given:\n\n> Not needed for <your> role');
    expect(rejected.html).toContain('<blockquote>Not needed for &lt;your&gt; role</blockquote>');
  });

  it('writes instants in UTC to the minute', () => {
    expect(readableInstant('2026-01-02T03:04:59.999+01:00')).toBe('2026-01-02 02:04 UTC');
  });
});
