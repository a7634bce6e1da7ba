import { ExistingWorkflow, ParticipantCommand, participantDecider, participantStream } from '@access-ledger/care-access';
import { AccessQuestion, accessAt } from './access';
import { historyOf } from './testing/history';

const ORG = 'org-1';
const pat = { id: 'sub-pat', email: 'pat@people.example', name: 'Pat' };
const workflow: ExistingWorkflow = {
  status: 'active',
  workflowId: 'wf-1',
  organisationId: ORG,
  name: 'Coaching',
  project: null,
  allowAppendProfessionals: true,
  professionals: [{ professional: { id: 'u-pro', name: 'Dr Pro' }, days: 30, reason: 'Coaching', addedAt: '2026-04-01T00:00:00.000Z' }],
  createdAt: '2026-04-01T00:00:00.000Z',
};
const asPat = { id: pat.id, email: pat.email };
const asPro = { id: 'sub-pro', email: 'pro@org.example', organisationId: ORG };
const asOther = { id: 'sub-other', email: 'other@org.example', organisationId: ORG };
const ask = (userId: string, now: string): ParticipantCommand => ({ type: 'RequestResultsAccess', workflow, asker: { userId, professionalOfOrganisation: true, active: true }, now });

const t = {
  enrolled: '2026-05-01T09:00:00.000Z',
  longBefore: '2026-04-20T09:00:00.000Z',
  consented: '2026-05-02T10:00:00.000Z',
  granted: '2026-05-03T10:00:00.000Z',
  otherAsked: '2026-05-03T11:00:00.000Z',
  between: '2026-05-05T00:00:00.000Z',
  withdrawn: '2026-05-10T12:00:00.000Z',
  refused: '2026-05-11T12:00:00.000Z',
  farLater: '2026-07-01T12:00:00.000Z',
  now: '2026-08-01T00:00:00.000Z',
};
const { recorded } = historyOf(participantDecider, participantStream(pat.id))
  .then({ type: 'EnrolParticipant', workflow, participant: pat, appendConsent: false, now: t.enrolled }, t.enrolled, asPat)
  .then({ type: 'AnswerConsentPrompt', workflow, professionalId: 'u-pro', decision: 'accept', grantId: 'g-1', now: t.consented }, t.consented, asPat)
  .then(ask('u-pro', t.granted), t.granted, asPro)
  .then(ask('u-other', t.otherAsked), t.otherAsked, asOther)
  .then({ type: 'WithdrawConsent', grantId: 'g-1', now: t.withdrawn }, t.withdrawn, asPat)
  .then(ask('u-pro', t.refused), t.refused, asPro)
  .then(ask('u-pro', t.farLater), t.farLater, asPro);
const question = (at: string): AccessQuestion => ({ participantId: pat.id, professionalId: 'u-pro', workflowId: 'wf-1', at });

describe('who could see what: a professional’s access to a participant’s results at an instant', () => {
  it('had access between consent and withdrawal, on the consent’s basis, granted and ended by the participant', () => {
    const answer = accessAt(question(t.between), recorded, t.now);
    expect(answer).toMatchObject({ access: true, basis: 'prior_consent', revision: 3, enrolledAt: t.enrolled, link: { status: 'active', grantId: 'g-1' } });
    expect(answer.grant).toEqual({
      grantId: 'g-1',
      basis: 'prior_consent',
      assignmentId: null,
      reason: 'Coaching',
      from: t.consented,
      until: '2026-06-01T10:00:00.000Z',
      granted: { type: 'ConsentGiven', at: t.consented, by: { ...asPat, organisationId: null }, position: recorded[1].position, revision: 1 },
      ended: { how: 'withdrawn', at: t.withdrawn, recorded: { type: 'ConsentWithdrawn', at: t.withdrawn, by: { ...asPat, organisationId: null }, position: recorded[4].position, revision: 4 } },
    });
  });

  it('lists that professional’s results requests, granted and refused, over the grant’s lifetime and 7 days either side', () => {
    const { resultsRequests } = accessAt(question(t.between), recorded, t.now);
    expect(resultsRequests.window).toEqual({ from: '2026-04-25T10:00:00.000Z', to: '2026-05-17T12:00:00.000Z', around: 'grant', marginDays: 7 });
    expect(resultsRequests.items).toEqual([
      { at: t.granted, decision: 'granted', refusal: null, grantId: 'g-1', grantVersion: 1, by: asPro, position: recorded[2].position, revision: 2 },
      { at: t.refused, decision: 'refused', refusal: 'consent_withdrawn', grantId: 'g-1', grantVersion: null, by: asPro, position: recorded[5].position, revision: 5 },
    ]);
  });

  it('had no access after the withdrawal: the answer names the ended grant and how things stood', () => {
    const answer = accessAt(question(t.refused), recorded, t.now);
    expect(answer).toMatchObject({ access: false, basis: null, link: { status: 'withdrawn', refusedBefore: true }, grant: { grantId: 'g-1', ended: { how: 'withdrawn' } } });
  });

  it('had no access before consent, with no grant, and then looks 7 days either side of the instant', () => {
    const answer = accessAt(question(t.enrolled), recorded, t.now);
    expect(answer).toMatchObject({ access: false, revision: 0, enrolledAt: t.enrolled, link: null, grant: null });
    expect(answer.resultsRequests.window).toEqual({ from: '2026-04-24T09:00:00.000Z', to: '2026-05-08T09:00:00.000Z', around: 'at', marginDays: 7 });
    expect(answer.resultsRequests.items.map((i) => i.at)).toEqual([t.granted]);
  });

  it('knows nothing before the participant’s first event', () => {
    expect(accessAt(question(t.longBefore), recorded, t.now)).toMatchObject({ access: false, revision: null, enrolledAt: null, grant: null, link: null });
  });

  it('had no access past until, even when the expiry is not recorded: the grant ended at until', () => {
    const running = recorded.slice(0, 3);
    const afterUntil = '2026-06-02T00:00:00.000Z';
    const answer = accessAt(question(afterUntil), running, t.now);
    expect(answer).toMatchObject({ access: false, link: { status: 'expired' }, grant: { grantId: 'g-1', ended: { how: 'expired', at: '2026-06-01T10:00:00.000Z', recorded: null } } });
    expect(accessAt(question(t.between), running, '2026-05-20T00:00:00.000Z').grant?.ended).toBeNull();
  });

  it('answers for the professional asked about only', () => {
    const answer = accessAt({ ...question(t.between), professionalId: 'u-other' }, recorded, t.now);
    expect(answer).toMatchObject({ access: false, grant: null });
    expect(answer.resultsRequests.items.map((i) => i.by.email)).toEqual(['other@org.example']);
  });

  it('names the administrator who assigned a professional on the participant’s consent to appending, and the recorded expiry that ended it', () => {
    const admin = { id: 'sub-ada', email: 'ada@org.example', organisationId: ORG };
    const caller = { ...admin, name: 'Ada', userId: 'u-ada', administrator: true, professional: false, auditor: false };
    const [enrolled, assigned, until, recordedAt] = ['2026-05-01T09:00:00.000Z', '2026-05-02T09:00:00.000Z', '2026-05-20T00:00:00.000Z', '2026-05-20T00:01:00.000Z'];
    const { recorded: history } = historyOf(participantDecider, participantStream(pat.id))
      .then({ type: 'EnrolParticipant', workflow, participant: pat, appendConsent: true, now: enrolled }, enrolled, asPat)
      .then(
        {
          type: 'AssignProfessional',
          caller,
          organisationId: ORG,
          workflow,
          participantId: pat.id,
          assignmentId: 'as-1',
          grantId: 'g-a',
          professional: { id: 'u-pro', facts: { userId: 'u-pro', organisationId: ORG, name: 'Dr Pro', professional: true, active: true } },
          endDate: until,
          reason: 'Second opinion',
          now: assigned,
        },
        assigned,
        admin,
      )
      .then({ type: 'ExpireAccess', grantId: 'g-a', now: recordedAt }, recordedAt, { id: 'system', email: 'system@access-ledger' });
    const during = accessAt(question('2026-05-10T00:00:00.000Z'), history, t.now);
    expect(during).toMatchObject({ access: true, basis: 'append_consent', grant: { grantId: 'g-a', assignmentId: 'as-1', granted: { type: 'ProfessionalAssigned', by: admin, revision: 1 } } });
    expect(during.grant?.ended).toEqual({ how: 'expired', at: until, recorded: { type: 'AccessExpired', at: recordedAt, by: { id: 'system', email: 'system@access-ledger', organisationId: null }, position: history[2].position, revision: 2 } });
    expect(accessAt(question(until), history, t.now)).toMatchObject({ access: false, link: { status: 'expired' } });
  });
});
