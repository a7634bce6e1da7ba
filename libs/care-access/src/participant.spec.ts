import { RecordedEvent, fold } from '@access-ledger/core';
import { DeciderSpecification } from '@access-ledger/core/testing';
import {
  AccessExpired,
  AnswerAssignment,
  AnswerConsentPrompt,
  AssignProfessional,
  ConsentDeclined,
  ConsentGiven,
  ConsentRequested,
  ConsentWithdrawn,
  ExistingWorkflow,
  GrantBasis,
  KnownParticipant,
  ParticipantEnrolled,
  ParticipantEvent,
  CareCaller,
  ParticipantRef,
  ParticipantState,
  ProfessionalFacts,
  ProfessionalAssigned,
  Refusal,
  RequestResultsAccess,
  activeGrantFor,
  participantDecider,
  participantEvents,
  promptsFor,
} from './index';
import { workflowOf as workflowFixture } from './testing/workflows';

const ORG = 'org-1';
const pia: ParticipantRef = { id: 'sub-pia', email: 'pia@example.org', name: 'Pia Park' };
const pro = { id: 'u-pro', name: 'Dr Pro' };
const pro2 = { id: 'u-pro2', name: 'Dr Second' };

// The clock of these specs: every `now` is chosen here and travels in the command.
const enrolledAt = '2026-05-01T09:00:00.000Z';
const answeredAt = '2026-05-02T10:00:00.000Z';
/** `answeredAt` plus 30 days (u-pro's days on the prompt workflow). */
const thirtyDaysLater = '2026-06-01T10:00:00.000Z';
const assignedAt = '2026-05-03T08:00:00.000Z';
const endDate = '2026-08-01T00:00:00.000Z';
const justBefore = (iso: string) => new Date(Date.parse(iso) - 1).toISOString();
const justAfter = (iso: string) => new Date(Date.parse(iso) + 1).toISOString();

// ---- Workflows (as the commands carry them, folded from their own events) ----------
const workflowOf = (workflowId: string, allowAppendProfessionals: boolean, ...professionals: { id: string; name: string; days: number }[]): ExistingWorkflow =>
  workflowFixture({ workflowId, organisationId: ORG, allowAppendProfessionals, at: enrolledAt, professionals });
/** Option 1: u-pro for 30 days, u-pro2 for 7. */
const prompts = workflowOf('wf-1', false, { ...pro, days: 30 }, { ...pro2, days: 7 });
/** Option 2: professionals are assigned later. */
const appending = workflowOf('wf-2', true);
const inWf = (workflow: ExistingWorkflow) => ({ workflowId: workflow.workflowId, organisationId: ORG, participantId: pia.id });

// ---- Events ------------------------------------------------------------------------
const enrolled = (workflow: ExistingWorkflow, appendConsent = false, at = enrolledAt): ParticipantEnrolled => ({
  type: 'ParticipantEnrolled',
  data: {
    workflowId: workflow.workflowId,
    organisationId: ORG,
    participant: pia,
    appendConsentAsked: workflow.allowAppendProfessionals,
    appendConsent,
    enrolledAt: at,
  },
});
const consentGiven = (
  workflow: ExistingWorkflow,
  { grantId = 'g-1', professional = pro, basis = 'prior_consent' as ConsentGiven['data']['basis'], assignmentId = null as string | null, reason = `Reason for ${pro.id}`, from = answeredAt, until = thirtyDaysLater } = {},
): ConsentGiven => ({
  type: 'ConsentGiven',
  data: { ...inWf(workflow), grantId, participant: pia, professional, basis, assignmentId, reason, from, until, givenAt: from },
});
const declined = (workflow: ExistingWorkflow, professionalId = pro.id, assignmentId: string | null = null, at = answeredAt): ConsentDeclined => ({
  type: 'ConsentDeclined',
  data: { ...inWf(workflow), professionalId, assignmentId, declinedAt: at },
});
const assigned = (
  status: 'active' | 'pending_consent',
  { assignmentId = 'as-1', grantId = 'g-a1', professional = pro, until = endDate, at = assignedAt, workflow = appending } = {},
): ProfessionalAssigned => ({
  type: 'ProfessionalAssigned',
  data: {
    ...inWf(workflow),
    assignmentId,
    participant: pia,
    professional,
    endDate: until,
    reason: 'Needs a second look',
    status,
    grantId: status === 'active' ? grantId : null,
    assignedAt: at,
  },
});
const consentRequested = ({ assignmentId = 'as-1', professional = pro, until = endDate, at = assignedAt, workflow = appending } = {}): ConsentRequested => ({
  type: 'ConsentRequested',
  data: {
    ...inWf(workflow),
    assignmentId,
    participant: pia,
    workflowName: workflow.name,
    professional,
    endDate: until,
    reason: 'Needs a second look',
    consentPath: `/assignments/${assignmentId}/consent`,
    requestedAt: at,
  },
});
const withdrawn = (workflow: ExistingWorkflow, grantId = 'g-1', professionalId = pro.id, at = '2026-05-10T12:00:00.000Z'): ConsentWithdrawn => ({
  type: 'ConsentWithdrawn',
  data: { ...inWf(workflow), grantId, professionalId, withdrawnAt: at },
});
const expired = (workflow: ExistingWorkflow, grantId = 'g-1', until = thirtyDaysLater, recordedAt = justAfter(thirtyDaysLater)): AccessExpired => ({
  type: 'AccessExpired',
  data: { ...inWf(workflow), grantId, professionalId: pro.id, until, recordedAt },
});

// ---- Commands ----------------------------------------------------------------------
const enrol = (workflow: ExistingWorkflow, appendConsent?: boolean, now = enrolledAt) => ({ type: 'EnrolParticipant' as const, workflow, participant: pia, appendConsent, now });
const answerPrompt = (decision: 'accept' | 'decline', overrides: Partial<AnswerConsentPrompt> = {}): AnswerConsentPrompt => ({
  type: 'AnswerConsentPrompt',
  workflow: prompts,
  professionalId: pro.id,
  decision,
  grantId: 'g-1',
  now: answeredAt,
  ...overrides,
});
const administrator: CareCaller = { id: 'sub-ada', email: 'ada@example.org', name: 'Ada Admin', userId: 'u-ada', organisationId: ORG, administrator: true, professional: false, auditor: false };
/** The directory's facts about a professional: by default an active professional of the workflow's organisation. */
const factsOf = (professional: { id: string; name: string }, facts: Partial<NonNullable<ProfessionalFacts>> = {}) => ({
  id: professional.id,
  facts: { userId: professional.id, organisationId: ORG, name: professional.name, professional: true, active: true, ...facts },
});
type AssignOverrides = Partial<Omit<AssignProfessional, 'professional'>> & { professional?: { id: string; name: string }; facts?: Partial<NonNullable<ProfessionalFacts>> | null };
const assign = ({ professional = pro, facts = {}, ...overrides }: AssignOverrides = {}): AssignProfessional => ({
  type: 'AssignProfessional',
  caller: administrator,
  organisationId: ORG,
  workflow: appending,
  participantId: pia.id,
  assignmentId: 'as-1',
  grantId: 'g-a1',
  professional: facts === null ? { id: professional.id, facts: null } : factsOf(professional, facts),
  endDate,
  reason: ' Needs a second look ',
  now: assignedAt,
  ...overrides,
});
const answerAssignment = (decision: 'accept' | 'decline', now = '2026-05-04T08:00:00.000Z', assignmentId = 'as-1'): AnswerAssignment => ({
  type: 'AnswerAssignment',
  assignmentId,
  decision,
  grantId: 'g-m1',
  now,
});
const withdraw = (grantId = 'g-1', now = '2026-05-10T12:00:00.000Z') => ({ type: 'WithdrawConsent' as const, grantId, now });
const expire = (grantId = 'g-1', now = justAfter(thirtyDaysLater)) => ({ type: 'ExpireAccess' as const, grantId, now });

type Asker = RequestResultsAccess['asker'];
const professionalAsker: Asker = { userId: pro.id, professionalOfOrganisation: true, active: true };
const requestResults = (now: string, workflow = prompts, asker: Asker = professionalAsker): RequestResultsAccess => ({ type: 'RequestResultsAccess', workflow, asker, now });

/** What a results request records: `decidedOnRevision` is the revision of the stream's last event (the given ones count from 0). */
const granted = (
  history: readonly ParticipantEvent[],
  now: string,
  { workflow = prompts, basis = 'prior_consent' as GrantBasis, grantId = 'g-1', grantVersion = 1, until = thirtyDaysLater } = {},
): ParticipantEvent[] => [
  {
    type: 'ResultsAccessRequested',
    data: { ...inWf(workflow), professionalId: pro.id, decision: 'granted', basis, grantId, grantVersion, until, refusal: null, decidedOnRevision: history.length - 1, requestedAt: now },
  },
];
const refused = (
  history: readonly ParticipantEvent[],
  now: string,
  refusal: Refusal,
  { workflow = prompts, grantId = null as string | null, professionalId = pro.id as string | null } = {},
): ParticipantEvent[] => [
  {
    type: 'ResultsAccessRequested',
    data: { ...inWf(workflow), professionalId, decision: 'refused', basis: null, grantId, grantVersion: null, until: null, refusal, decidedOnRevision: history.length - 1, requestedAt: now },
  },
];

const given = DeciderSpecification.for(participantDecider);
const stateOf = (events: readonly ParticipantEvent[]): ParticipantState => events.reduce(participantDecider.evolve, participantDecider.initialState());
/** Decides on the history and folds the outcome in: the next step of a story. */
const after = (history: readonly ParticipantEvent[], command: Parameters<typeof participantDecider.decide>[0]): ParticipantEvent[] => [
  ...history,
  ...participantDecider.decide(command, stateOf(history)),
];

describe('enrolling', () => {
  it('records the participant, with appending not asked in a workflow that does not append professionals', () => given().when(enrol(prompts)).then([enrolled(prompts)]));

  it('records the answer to appending professionals later where the workflow asks it; no answer is no', () => {
    given().when(enrol(appending, true)).then([enrolled(appending, true)]);
    given().when(enrol(appending, false)).then([enrolled(appending, false)]);
    given().when(enrol(appending)).then([enrolled(appending, false)]);
  });

  it('refuses appendConsent in a workflow that does not append professionals', () => {
    given().when(enrol(prompts, true)).thenThrows('append-consent-not-asked', 'validation');
    given().when(enrol(prompts, false)).thenThrows('append-consent-not-asked', 'validation');
  });

  it('refuses enrolling twice in one workflow, but not in another', () => {
    given([enrolled(prompts)]).when(enrol(prompts)).thenThrows('already-enrolled', 'conflict');
    given([enrolled(prompts)]).when(enrol(appending, true)).then([enrolled(appending, true)]);
  });
});

describe('option 1: consent prompts for professionals added up front', () => {
  const history = [enrolled(prompts)];

  it('prompts for every professional of the workflow, before and after enrolling', () => {
    expect(promptsFor(prompts, participantDecider.initialState()).map((p) => p.professional.id)).toEqual(['u-pro', 'u-pro2']);
    expect(promptsFor(prompts, stateOf(history)).map((p) => [p.professional.id, p.days])).toEqual([
      ['u-pro', 30],
      ['u-pro2', 7],
    ]);
  });

  it('prompts for a professional added after the participant enrolled too', () => {
    const later = workflowOf('wf-1', false, { ...pro, days: 30 }, { ...pro2, days: 7 }, { id: 'u-late', name: 'Dr Late', days: 90 });
    const answeredBoth = after(after(history, answerPrompt('accept')), answerPrompt('decline', { professionalId: pro2.id }));
    expect(promptsFor(later, stateOf(answeredBoth)).map((p) => p.professional.id)).toEqual(['u-late']);
    given(answeredBoth)
      .when(answerPrompt('accept', { workflow: later, professionalId: 'u-late', grantId: 'g-late' }))
      .then([
        consentGiven(later, { grantId: 'g-late', professional: { id: 'u-late', name: 'Dr Late' }, reason: 'Reason for u-late', until: '2026-07-31T10:00:00.000Z' }),
      ]);
  });

  it('accepting grants the professional for their days from the acceptance, for the reason the workflow gave', () =>
    given(history).when(answerPrompt('accept')).then([consentGiven(prompts)]));

  it('counts the days from the acceptance, not from enrolling or adding', () =>
    given(history)
      .when(answerPrompt('accept', { professionalId: pro2.id, now: '2026-12-30T23:30:00.000Z' }))
      .then([consentGiven(prompts, { professional: pro2, reason: 'Reason for u-pro2', from: '2026-12-30T23:30:00.000Z', until: '2027-01-06T23:30:00.000Z' })]));

  it('declining grants nothing; the participant still takes part and is not asked again about that professional', () => {
    given(history).when(answerPrompt('decline')).then([declined(prompts)]);
    const state = stateOf([...history, declined(prompts)]);
    expect((state as KnownParticipant).enrolments['wf-1']).toBeDefined();
    expect(promptsFor(prompts, state).map((p) => p.professional.id)).toEqual(['u-pro2']);
    given([...history, declined(prompts)]).when(answerPrompt('accept', { professionalId: pro2.id })).then([consentGiven(prompts, { professional: pro2, reason: 'Reason for u-pro2', until: '2026-05-09T10:00:00.000Z' })]);
  });

  it('is answered once per professional: a second answer, either way, is a conflict', () => {
    given([...history, consentGiven(prompts)]).when(answerPrompt('decline')).thenThrows('consent-prompt-answered', 'conflict');
    given([...history, consentGiven(prompts)]).when(answerPrompt('accept', { grantId: 'g-2' })).thenThrows('consent-prompt-answered', 'conflict');
    given([...history, declined(prompts)]).when(answerPrompt('accept')).thenThrows('consent-prompt-answered', 'conflict');
  });

  it('stays answered after the grant was withdrawn or expired: accepting again cannot extend the days', () => {
    given([...history, consentGiven(prompts), withdrawn(prompts)]).when(answerPrompt('accept', { grantId: 'g-2' })).thenThrows('consent-prompt-answered', 'conflict');
    given([...history, consentGiven(prompts), expired(prompts)]).when(answerPrompt('accept', { grantId: 'g-2' })).thenThrows('consent-prompt-answered', 'conflict');
  });

  it('answers not found for a professional not on the workflow', () => given(history).when(answerPrompt('accept', { professionalId: 'u-none' })).thenThrows('consent-prompt-not-found', 'not_found'));

  it('answers not found to someone not enrolled in the workflow', () => {
    given().when(answerPrompt('accept')).thenThrows('participant-not-enrolled', 'not_found');
    given([enrolled(appending)]).when(answerPrompt('accept')).thenThrows('participant-not-enrolled', 'not_found');
  });
});

describe('option 2: professionals assigned later', () => {
  const withConsent = [enrolled(appending, true)];
  const withoutConsent = [enrolled(appending, false)];

  it('is active at once, with its grant, when the participant allowed appending professionals', () =>
    given(withConsent).when(assign()).then([assigned('active')]));

  it('waits for the participant’s consent otherwise, and asks for it with what the mail needs', () =>
    given(withoutConsent).when(assign()).then([assigned('pending_consent'), consentRequested()]));

  it.each([
    ['a recorder', { administrator: false }],
    ['a professional', { administrator: false, professional: true }],
    ['an administrator of another organisation', { organisationId: 'org-2' }],
    ['someone outside the directory', { administrator: false, userId: null, organisationId: null }],
  ])('is refused to %s', (_who, change) =>
    given(withConsent)
      .when(assign({ caller: { ...administrator, ...change } }))
      .thenThrows('not-an-administrator', 'forbidden'));

  it('reads a workflow of another organisation than the one named as missing', () =>
    given(withConsent).when(assign({ organisationId: 'org-2', caller: { ...administrator, organisationId: 'org-2' } })).thenThrows('workflow-not-found', 'not_found'));

  it.each([
    ['a professional of another organisation', { organisationId: 'org-2' }, 'professional-not-found', 'not_found'],
    ['a user without the professional designation', { professional: false }, 'not-a-professional', 'validation'],
    ['a deactivated professional', { active: false }, 'professional-deactivated', 'conflict'],
  ] as const)('refuses %s', (_who, facts, code, kind) => given(withConsent).when(assign({ facts })).thenThrows(code, kind));

  it('refuses a professional the directory does not know', () => given(withConsent).when(assign({ facts: null })).thenThrows('professional-not-found', 'not_found'));

  it.each([
    ['now', assignedAt],
    ['in the past', justBefore(assignedAt)],
  ])('refuses an end date %s', (_when, end) => given(withConsent).when(assign({ endDate: end })).thenThrows('end-date-not-in-future', 'validation'));

  it('takes an end date a millisecond ahead', () =>
    given(withConsent)
      .when(assign({ endDate: justAfter(assignedAt) }))
      .then([assigned('active', { until: justAfter(assignedAt) })]));

  it('records the end date in UTC with milliseconds, however it was written, so that ends sort as they fall', () => {
    given(withConsent).when(assign({ endDate: '2026-08-01T02:00:00+02:00' })).then([assigned('active')]);
    given(withoutConsent).when(assign({ endDate: '2026-08-01' })).then([assigned('pending_consent'), consentRequested()]);
  });

  it('refuses an end date that is not a date', () => given(withConsent).when(assign({ endDate: 'next summer' })).thenThrows('end-date-not-in-future', 'validation'));

  it.each([
    ['empty', ''],
    ['501 characters', 'r'.repeat(501)],
  ])('refuses a reason that is %s', (_what, reason) => given(withConsent).when(assign({ reason })).thenThrows('invalid-reason', 'validation'));

  it('answers not found for a participant not enrolled in the workflow', () => {
    given().when(assign()).thenThrows('participant-not-enrolled', 'not_found');
    given([enrolled(prompts)]).when(assign()).thenThrows('participant-not-enrolled', 'not_found');
  });

  it('is refused in a workflow that does not allow appending professionals', () =>
    given([enrolled(prompts)]).when(assign({ workflow: prompts })).thenThrows('appending-not-allowed', 'conflict'));

  it('refuses assigning a professional who already has access, or is waiting for the answer', () => {
    given([...withConsent, assigned('active')]).when(assign({ assignmentId: 'as-2', grantId: 'g-a2' })).thenThrows('already-assigned', 'conflict');
    given([...withoutConsent, assigned('pending_consent'), consentRequested()]).when(assign({ assignmentId: 'as-2' })).thenThrows('already-assigned', 'conflict');
  });

  it('assigns them again once the earlier assignment has ended, unanswered or expired', () => {
    const later = justAfter(endDate);
    const again = { assignmentId: 'as-2', grantId: 'g-a2', endDate: '2026-12-01T00:00:00.000Z', now: later };
    given([...withoutConsent, assigned('pending_consent'), consentRequested()])
      .when(assign(again))
      .then([assigned('pending_consent', { assignmentId: 'as-2', until: again.endDate, at: later }), consentRequested({ assignmentId: 'as-2', until: again.endDate, at: later })]);
    given([...withConsent, assigned('active')]).when(assign(again)).then([assigned('active', { assignmentId: 'as-2', grantId: 'g-a2', until: again.endDate, at: later })]);
  });

  it('assigns a professional again after the participant declined the earlier assignment, asking by mail again', () => {
    const history = [...withoutConsent, assigned('pending_consent'), consentRequested(), declined(appending, pro.id, 'as-1')];
    given(history).when(assign({ assignmentId: 'as-2' })).then([assigned('pending_consent', { assignmentId: 'as-2' }), consentRequested({ assignmentId: 'as-2' })]);
  });

  it('assigns another professional at once beside one already assigned', () =>
    given([...withConsent, assigned('active')])
      .when(assign({ assignmentId: 'as-2', grantId: 'g-a2', professional: pro2 }))
      .then([assigned('active', { assignmentId: 'as-2', grantId: 'g-a2', professional: pro2 })]));

  describe('after the participant said no to that professional, a new assignment asks by mail even with append consent', () => {
    const enrolledBoth = [enrolled(prompts), enrolled(appending, true)];

    it('once they withdrew that professional’s access', () => {
      const history = [...withConsent, assigned('active'), withdrawn(appending, 'g-a1')];
      given(history).when(assign({ assignmentId: 'as-2', grantId: 'g-a2' })).then([assigned('pending_consent', { assignmentId: 'as-2' }), consentRequested({ assignmentId: 'as-2' })]);
    });

    it('once they declined the consent prompt for that professional (a workflow with both options)', () => {
      const both = workflowOf('wf-3', true, { ...pro, days: 30 });
      const history = [enrolled(both, true), declined(both)];
      given(history)
        .when(assign({ workflow: both }))
        .then([assigned('pending_consent', { workflow: both }), consentRequested({ workflow: both })]);
      given([enrolled(both, true)]).when(assign({ workflow: both })).then([assigned('active', { workflow: both })]);
    });

    it('once they withdrew an assignment’s grant while a prompt’s grant for that professional was active too', () => {
      // Assigned (active at once), then the up-front prompt accepted: two grants for one professional. Withdrawing the
      // assignment's grant is a no, whichever grant the participant answered last, and outlasts the other grant's expiry.
      const both = workflowOf('wf-3', true, { ...pro, days: 30 });
      const history = [enrolled(both, true), assigned('active', { workflow: both }), consentGiven(both), withdrawn(both, 'g-a1')];
      const later = justAfter(thirtyDaysLater);
      const again = { workflow: both, assignmentId: 'as-2', grantId: 'g-a2', endDate: '2026-12-01T00:00:00.000Z', now: later };
      given(history)
        .when(assign(again))
        .then([
          assigned('pending_consent', { workflow: both, assignmentId: 'as-2', until: again.endDate, at: later }),
          consentRequested({ workflow: both, assignmentId: 'as-2', until: again.endDate, at: later }),
        ]);
    });

    it('not for another professional, nor for the same one in another workflow', () => {
      const history = [...withConsent, assigned('active'), withdrawn(appending, 'g-a1')];
      given(history).when(assign({ assignmentId: 'as-2', grantId: 'g-a2', professional: pro2 })).then([assigned('active', { assignmentId: 'as-2', grantId: 'g-a2', professional: pro2 })]);
      given([...enrolledBoth, declined(prompts)]).when(assign()).then([assigned('active')]);
    });
  });
});

describe('answering an assignment’s request', () => {
  const pending = [enrolled(appending, false), assigned('pending_consent'), consentRequested()];
  const answeredOn = '2026-05-04T08:00:00.000Z';

  it('accepting grants the professional until the assignment’s end date, by mail consent', () =>
    given(pending)
      .when(answerAssignment('accept', answeredOn))
      .then([consentGiven(appending, { grantId: 'g-m1', basis: 'mail_consent', assignmentId: 'as-1', reason: 'Needs a second look', from: answeredOn, until: endDate })]));

  it('declining grants nothing', () => given(pending).when(answerAssignment('decline', answeredOn)).then([declined(appending, pro.id, 'as-1', answeredOn)]));

  it('is answered once', () => {
    const accepted = after(pending, answerAssignment('accept', answeredOn));
    given(accepted).when(answerAssignment('decline')).thenThrows('assignment-answered', 'conflict');
    given(accepted).when(answerAssignment('accept')).thenThrows('assignment-answered', 'conflict');
    given(after(pending, answerAssignment('decline', answeredOn))).when(answerAssignment('accept')).thenThrows('assignment-answered', 'conflict');
  });

  it('does not wait for an answer when it was active at once', () =>
    given([enrolled(appending, true), assigned('active')]).when(answerAssignment('accept')).thenThrows('assignment-answered', 'conflict'));

  it.each([
    ['at', endDate],
    ['after', justAfter(endDate)],
  ])('cannot be accepted %s its end date', (_when, now) => {
    given(pending).when(answerAssignment('accept', now)).thenThrows('assignment-ended', 'conflict');
    given(pending).when(answerAssignment('decline', now)).thenThrows('assignment-ended', 'conflict');
  });

  it('can still be accepted a moment before its end date', () =>
    given(pending)
      .when(answerAssignment('accept', justBefore(endDate)))
      .then([consentGiven(appending, { grantId: 'g-m1', basis: 'mail_consent', assignmentId: 'as-1', reason: 'Needs a second look', from: justBefore(endDate), until: endDate })]));

  it('answers not found for an assignment the participant does not have', () => {
    given(pending).when(answerAssignment('accept', answeredOn, 'as-9')).thenThrows('assignment-not-found', 'not_found');
    given().when(answerAssignment('accept', answeredOn)).thenThrows('assignment-not-found', 'not_found');
  });
});

describe('withdrawing consent', () => {
  const active = [enrolled(prompts), consentGiven(prompts)];
  const withdrawnAt = '2026-05-10T12:00:00.000Z';

  it('ends the grant at once', () => given(active).when(withdraw('g-1', withdrawnAt)).then([withdrawn(prompts, 'g-1', pro.id, withdrawnAt)]));

  it('refuses the next results request, naming the withdrawn grant', () => {
    const history = [...active, withdrawn(prompts)];
    given(history).when(requestResults(justAfter(withdrawnAt))).then(refused(history, justAfter(withdrawnAt), 'consent_withdrawn', { grantId: 'g-1' }));
  });

  it('is refused for a grant that has already ended: withdrawn, expired (recorded or not)', () => {
    given([...active, withdrawn(prompts)]).when(withdraw()).thenThrows('grant-not-active', 'conflict');
    given([...active, expired(prompts)]).when(withdraw('g-1', justAfter(thirtyDaysLater))).thenThrows('grant-not-active', 'conflict');
    given(active).when(withdraw('g-1', thirtyDaysLater)).thenThrows('grant-not-active', 'conflict');
  });

  it('ends a grant of an assignment too', () =>
    given([enrolled(appending, true), assigned('active')]).when(withdraw('g-a1', withdrawnAt)).then([withdrawn(appending, 'g-a1', pro.id, withdrawnAt)]));

  it('answers not found for a grant the participant does not have', () => {
    given(active).when(withdraw('g-9')).thenThrows('grant-not-found', 'not_found');
    given().when(withdraw()).thenThrows('grant-not-found', 'not_found');
  });
});

describe('expiry, with the clock in the command', () => {
  const active = [enrolled(prompts), consentGiven(prompts)];

  it('grants a results request a moment before `until`', () => given(active).when(requestResults(justBefore(thirtyDaysLater))).then(granted(active, justBefore(thirtyDaysLater))));

  it.each([
    ['at', thirtyDaysLater],
    ['after', '2026-09-01T00:00:00.000Z'],
  ])('refuses a results request %s `until` as expired, though no AccessExpired is recorded yet', (_when, now) =>
    given(active).when(requestResults(now)).then(refused(active, now, 'access_expired', { grantId: 'g-1' })));

  it('refuses it as expired once AccessExpired is recorded too', () => {
    const history = [...active, expired(prompts)];
    given(history).when(requestResults(justAfter(thirtyDaysLater))).then(refused(history, justAfter(thirtyDaysLater), 'access_expired', { grantId: 'g-1' }));
  });

  it('records nothing for ExpireAccess before `until`', () => given(active).when(expire('g-1', justBefore(thirtyDaysLater))).thenNothingHappens());

  it.each([
    ['at', thirtyDaysLater],
    ['a month after', '2026-07-01T10:00:00.000Z'],
  ])('records AccessExpired %s `until`, with `until` as the end and when it was recorded', (_when, now) =>
    given(active).when(expire('g-1', now)).then([expired(prompts, 'g-1', thirtyDaysLater, now)]));

  it('records it once: ExpireAccess again records nothing', () => given([...active, expired(prompts)]).when(expire()).thenNothingHappens());

  it('records nothing for a withdrawn grant or one the participant does not have', () => {
    given([...active, withdrawn(prompts)]).when(expire()).thenNothingHappens();
    given(active).when(expire('g-9')).thenNothingHappens();
    given().when(expire()).thenNothingHappens();
  });

  it('ends an assignment’s grant at its end date', () => {
    const history = [enrolled(appending, true), assigned('active')];
    given(history).when(requestResults(justBefore(endDate), appending)).then(granted(history, justBefore(endDate), { workflow: appending, basis: 'append_consent', grantId: 'g-a1', until: endDate }));
    given(history).when(requestResults(endDate, appending)).then(refused(history, endDate, 'access_expired', { workflow: appending, grantId: 'g-a1' }));
    given(history).when(expire('g-a1', endDate)).then([{ type: 'AccessExpired', data: { ...inWf(appending), grantId: 'g-a1', professionalId: pro.id, until: endDate, recordedAt: endDate } }]);
  });
});

describe('requests for results', () => {
  const active = [enrolled(prompts), consentGiven(prompts)];
  const at = '2026-05-05T10:00:00.000Z';

  it('are granted while a grant is active, recording its basis, id, version and until', () => given(active).when(requestResults(at)).then(granted(active, at, { grantVersion: 1 })));

  it('record the revision decided on, and the grant’s version as of the event that made it', () => {
    const history = after(after(active, requestResults(at)), requestResults(at));
    expect(history).toHaveLength(4);
    given(history).when(requestResults(at)).then(granted(history, at, { grantVersion: 1 }));
  });

  it('take the stored revisions when folded from the store', () => {
    const recorded = active.map(
      (event, i): RecordedEvent => ({
        ...event,
        eventId: `e${i}`,
        streamId: 'participant-p',
        revision: i + 5, // as if the stream held earlier events that a test leaves out
        position: 100 + i,
        metadata: { occurredAt: at, actor: { id: pia.id, email: pia.email, roles: [] }, correlationId: 'c', causationId: 'c', commandId: `c${i}`, schemaVersion: 1 },
      }),
    );
    const [decided] = participantDecider.decide(requestResults(at), fold(participantDecider, recorded));
    expect(decided.data).toMatchObject({ decision: 'granted', grantVersion: 6, decidedOnRevision: 6 });
  });

  it('are granted by option-2 grants with their own basis', () => {
    const appended = [enrolled(appending, true), assigned('active')];
    given(appended).when(requestResults(at, appending)).then(granted(appended, at, { workflow: appending, basis: 'append_consent', grantId: 'g-a1', until: endDate }));
    const byMail = [enrolled(appending, false), assigned('pending_consent'), consentRequested(), consentGiven(appending, { grantId: 'g-m1', basis: 'mail_consent', assignmentId: 'as-1', from: assignedAt, until: endDate })];
    given(byMail).when(requestResults(at, appending)).then(granted(byMail, at, { workflow: appending, basis: 'mail_consent', grantId: 'g-m1', grantVersion: 3, until: endDate }));
  });

  it('are refused, and recorded, when there was never consent, it was declined, or it is pending', () => {
    const none = [enrolled(prompts)];
    given(none).when(requestResults(at)).then(refused(none, at, 'no_consent'));
    const no = [...none, declined(prompts)];
    given(no).when(requestResults(at)).then(refused(no, at, 'consent_declined'));
    const pending = [enrolled(appending, false), assigned('pending_consent'), consentRequested()];
    given(pending).when(requestResults(at, appending)).then(refused(pending, at, 'consent_pending', { workflow: appending }));
  });

  it('are refused as expired once an assignment ended before the participant answered it', () => {
    const pending = [enrolled(appending, false), assigned('pending_consent'), consentRequested()];
    given(pending).when(requestResults(justBefore(endDate), appending)).then(refused(pending, justBefore(endDate), 'consent_pending', { workflow: appending }));
    given(pending).when(requestResults(endDate, appending)).then(refused(pending, endDate, 'access_expired', { workflow: appending }));
  });

  it('are refused for a deactivated professional, and granted again once they are active', () => {
    given(active).when(requestResults(at, prompts, { ...professionalAsker, active: false })).then(refused(active, at, 'professional_deactivated', { grantId: 'g-1' }));
    const history = after(active, requestResults(at, prompts, { ...professionalAsker, active: false }));
    given(history).when(requestResults(at)).then(granted(history, at));
  });

  it('are refused to a professional of another organisation, and to someone outside the directory, whatever the grant', () => {
    given(active).when(requestResults(at, prompts, { ...professionalAsker, professionalOfOrganisation: false })).then(refused(active, at, 'not_a_professional'));
    given(active)
      .when(requestResults(at, prompts, { userId: null, professionalOfOrganisation: false, active: false }))
      .then(refused(active, at, 'not_a_professional', { professionalId: null }));
  });

  it('are refused to another professional than the grant’s', () => {
    const other = { userId: pro2.id, professionalOfOrganisation: true, active: true };
    const [decided] = participantDecider.decide(requestResults(at, prompts, other), stateOf(active));
    expect(decided.data).toMatchObject({ professionalId: pro2.id, decision: 'refused', refusal: 'no_consent', grantId: null });
  });

  it('answer not found, and record nothing, for a participant not enrolled in the workflow', () => {
    given().when(requestResults(at)).thenThrows('participant-not-enrolled', 'not_found');
    given([enrolled(appending, true)]).when(requestResults(at)).thenThrows('participant-not-enrolled', 'not_found');
  });

  it('choose the grant lasting longest when a professional has several', () => {
    const both = [...active, enrolled(appending, true), assigned('active', { professional: pro, until: '2026-12-01T00:00:00.000Z' })];
    expect(activeGrantFor(stateOf(both), 'wf-1', pro.id, at)?.grantId).toBe('g-1');
    const twoInOne = [...active, consentGiven(prompts, { grantId: 'g-long', basis: 'mail_consent', assignmentId: 'as-x', until: '2027-01-01T00:00:00.000Z' })];
    expect(activeGrantFor(stateOf(twoInOne), 'wf-1', pro.id, at)?.grantId).toBe('g-long');
    expect(activeGrantFor(stateOf(twoInOne), 'wf-1', pro.id, '2026-12-01T00:00:00.000Z')?.grantId).toBe('g-long');
  });
});

describe('the state a participant’s history folds to', () => {
  it('keeps each grant with its status, end and the version of the event that last changed it', () => {
    const history = [enrolled(prompts), consentGiven(prompts), consentGiven(prompts, { grantId: 'g-2', professional: pro2, until: '2026-05-09T10:00:00.000Z' }), withdrawn(prompts), expired(prompts, 'g-2', '2026-05-09T10:00:00.000Z', '2026-05-09T10:01:00.000Z')];
    const state = stateOf(history) as KnownParticipant;
    expect(state.revision).toBe(4);
    expect(state.grants.map((g) => [g.grantId, g.status, g.endedAt, g.version])).toEqual([
      ['g-1', 'withdrawn', '2026-05-10T12:00:00.000Z', 3],
      ['g-2', 'expired', '2026-05-09T10:00:00.000Z', 4],
    ]);
  });

  it('keeps each assignment with how it was answered', () => {
    const history = [enrolled(appending, false), assigned('pending_consent'), consentRequested(), declined(appending, pro.id, 'as-1'), assigned('pending_consent', { assignmentId: 'as-2', professional: pro2 })];
    const state = stateOf([...history, consentGiven(appending, { grantId: 'g-m2', professional: pro2, basis: 'mail_consent', assignmentId: 'as-2' })]) as KnownParticipant;
    expect(state.assignments.map((a) => [a.assignmentId, a.status, a.grantId])).toEqual([
      ['as-1', 'declined', null],
      ['as-2', 'accepted', 'g-m2'],
    ]);
  });

  it('reads through the participant stream’s catalogue only', () => {
    expect([...participantEvents.types].sort()).toEqual(
      ['AccessExpired', 'ConsentDeclined', 'ConsentGiven', 'ConsentRequested', 'ConsentWithdrawn', 'ParticipantEnrolled', 'ProfessionalAssigned', 'ResultsAccessRequested'].sort(),
    );
    expect(participantDecider.catalogue).toBe(participantEvents);
  });
});
