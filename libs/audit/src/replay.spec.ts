import { fold } from '@access-ledger/core';
import { accessRequestDecider, requestStream } from '@access-ledger/access-requests';
import { Caller, OrganisationState, organisationDecider, userDecider, userStream } from '@access-ledger/directory';
import { CareCaller, ExistingWorkflow, participantDecider, participantStream, workflowDecider, workflowStream } from '@access-ledger/care-access';
import { grantAt } from './access';
import { stateAt, timelineOf } from './replay';
import { historyOf } from './testing/history';

const ORG = 'org-1';
const later = (iso: string, ms = 1) => new Date(Date.parse(iso) + ms).toISOString();
const earlier = (iso: string, ms = 1) => new Date(Date.parse(iso) - ms).toISOString();

describe('an access request replayed', () => {
  const requester = { id: 'sub-rita', email: 'rita@example.org', name: 'Rita Requester' };
  const spoc = { id: 'u-spoc', email: 'spoc@org.example', spocOf: ORG, platformAdmin: false };
  const [created, submitted, rejected] = ['2026-03-01T09:00:00.000Z', '2026-03-01T09:05:00.000Z', '2026-03-02T14:00:00.000Z'];
  const { recorded } = historyOf(accessRequestDecider, requestStream('r-1'))
    .then(
      { type: 'CreateRequest', requestId: 'r-1', organisationId: ORG, organisationExists: true, application: 'vaccination-recorder', justification: 'New clinic', requester, now: created },
      created,
      { id: requester.id, email: requester.email },
    )
    .then({ type: 'SubmitRequest', caller: { id: requester.id, email: requester.email, spocOf: null, platformAdmin: false }, now: submitted }, submitted, { id: requester.id, email: requester.email })
    .then({ type: 'RejectRequest', caller: spoc, requesterIsOnlySpoc: false, reason: 'No second account', now: rejected }, rejected, { id: spoc.id, email: spoc.email, organisationId: ORG });

  it('has a timeline: every event oldest first, with its sentence, what it changed, its reason and who did it', () => {
    const timeline = timelineOf(accessRequestDecider, recorded).entries;
    expect(timeline.map((e) => [e.revision, e.type, e.at])).toEqual([
      [0, 'RequestCreated', created],
      [1, 'ApprovalRequested', submitted],
      [2, 'RequestRejected', rejected],
    ]);
    expect(timeline[0]).toMatchObject({
      position: recorded[0].position,
      actor: { id: 'sub-rita', email: 'rita@example.org', organisationId: null },
      summary: `Request r-1 for vaccination-recorder in organisation ${ORG} created by rita@example.org for rita@example.org; status created`,
      correlationId: recorded[0].metadata.correlationId,
    });
    expect(timeline[0].changes).toEqual([
      { field: 'status', from: 'none', to: 'created' },
      { field: 'requestId', from: null, to: 'r-1' },
      { field: 'organisationId', from: null, to: ORG },
      { field: 'application', from: null, to: 'vaccination-recorder' },
      { field: 'justification', from: null, to: 'New clinic' },
      { field: 'requester', from: null, to: requester },
    ]);
    expect(timeline[1].changes).toEqual([{ field: 'status', from: 'created', to: 'approval_requested' }]);
    expect(timeline[2]).toMatchObject({ summary: 'Request r-1 rejected by spoc@org.example as SPOC; status rejected', reason: 'No second account', actor: { organisationId: ORG } });
    expect(timeline[2].changes).toEqual([
      { field: 'status', from: 'approval_requested', to: 'rejected' },
      { field: 'completedAt', from: null, to: rejected },
      { field: 'decision', from: null, to: { by: { id: 'u-spoc', email: 'spoc@org.example' }, decidedAs: 'spoc', reason: 'No second account', comment: null } },
    ]);
    expect(timeline[0]).not.toHaveProperty('reason');
    expect(timelineOf(accessRequestDecider, recorded).state).toEqual(fold(accessRequestDecider, recorded));
  });

  it('has a state at any instant: the events up to it folded with the live evolve', () => {
    const between = stateAt(accessRequestDecider, recorded, later(submitted, 60_000));
    expect(between).toEqual({ state: fold(accessRequestDecider, recorded.slice(0, 2)), revision: 1, position: recorded[1].position });
    expect(between!.state).toMatchObject({ status: 'approval_requested', completedAt: null, decision: null });
    expect(stateAt(accessRequestDecider, recorded, rejected)).toMatchObject({ revision: 2, state: { status: 'rejected' } });
    expect(stateAt(accessRequestDecider, recorded, earlier(rejected))).toMatchObject({ revision: 1 });
  });

  it('has no state before its first event', () => {
    expect(stateAt(accessRequestDecider, recorded, earlier(created))).toBeNull();
    expect(stateAt(accessRequestDecider, [], created)).toBeNull();
  });

  it('stops at the first event that occurred after the instant, even when a later one occurred before it (a command decided again after losing a race)', () => {
    const raced = recorded.map((e, i) => (i === 2 ? { ...e, metadata: { ...e.metadata, occurredAt: later(created, 1000) } } : e));
    expect(stateAt(accessRequestDecider, raced, later(created, 2000))).toMatchObject({ revision: 0, state: { status: 'created' } });
  });
});

describe('a user replayed', () => {
  const lead: Caller = { userId: 'u-lead', platformRoles: [], membership: { organisationId: ORG, permissionLevel: 'lead_administrator', spoc: false, professional: false, active: true } };
  const organisation = fold(organisationDecider, [
    historyOf(organisationDecider, 'organisation-org-1').then(
      { type: 'RegisterOrganisation', organisationId: ORG, name: 'Hollybrook', emailDomains: [], caller: { userId: null, platformRoles: ['platform_admin'], membership: null }, now: '2026-01-01T00:00:00.000Z' },
      '2026-01-01T00:00:00.000Z',
    ).recorded[0],
  ]) as OrganisationState;
  const [added, promoted, deactivated] = ['2026-02-01T08:00:00.000Z', '2026-02-10T08:00:00.000Z', '2026-02-20T08:00:00.000Z'];
  const common = { caller: lead, organisationId: ORG };
  const { recorded } = historyOf(userDecider, userStream('u-1'))
    .then(
      { ...common, type: 'AddUser', userId: 'u-1', organisation, firstName: 'Una', lastName: 'User', email: 'Una@Example.org', clinician: false, permissionLevel: 'recorder', spoc: false, professional: false, now: added },
      added,
      { email: 'lead@example.org' },
    )
    .then({ ...common, type: 'ChangeUser', permissionLevel: 'administrator', clinician: true, now: promoted }, promoted, { email: 'lead@example.org' })
    .then({ ...common, type: 'DeactivateUser', reason: 'Left the practice', now: deactivated }, deactivated, { email: 'lead@example.org' });

  it('has a timeline naming list elements by index', () => {
    const timeline = timelineOf(userDecider, recorded).entries;
    expect(timeline.map((e) => e.type)).toEqual(['UserAdded', 'UserPermissionLevelChanged', 'UserClinicianStatusChanged', 'UserDeactivated']);
    expect(timeline[1].changes).toEqual([{ field: 'rights[1]', from: null, to: { permissionLevel: 'administrator', spoc: false, professional: false, effectiveFrom: promoted } }]);
    expect(timeline[2]).toMatchObject({ summary: 'User u-1 marked a clinician by lead@example.org', changes: [{ field: 'clinician', from: false, to: true }] });
    // The account downstream is pending again from the deactivation (it was still pending from the add).
    expect(timeline[3]).toMatchObject({
      reason: 'Left the practice',
      changes: [
        { field: 'status', from: 'active', to: 'deactivated' },
        { field: 'account.at', from: added, to: deactivated },
      ],
    });
  });

  it('has a state between two events, and none before the first', () => {
    const between = stateAt(userDecider, recorded, later(promoted, 3_600_000));
    expect(between).toMatchObject({ revision: 2, state: { status: 'active', clinician: true } });
    expect((between!.state as { rights: readonly unknown[] }).rights).toHaveLength(2);
    expect(stateAt(userDecider, recorded, later(deactivated))).toMatchObject({ revision: 3, state: { status: 'deactivated' } });
    expect(stateAt(userDecider, recorded, earlier(added))).toBeNull();
  });
});

describe('a workflow replayed', () => {
  const admin: CareCaller = { id: 'sub-ada', email: 'ada@example.org', name: 'Ada', userId: 'u-ada', organisationId: ORG, administrator: true, professional: false, auditor: false };
  const [created, changed, added] = ['2026-04-01T10:00:00.000Z', '2026-04-02T10:00:00.000Z', '2026-04-03T10:00:00.000Z'];
  const common = { caller: admin, organisationId: ORG };
  const { recorded } = historyOf(workflowDecider, workflowStream('wf-1'))
    .then({ ...common, type: 'CreateWorkflow', workflowId: 'wf-1', organisationExists: true, name: 'Coaching', project: null, allowAppendProfessionals: false, now: created }, created, { email: admin.email })
    .then({ ...common, type: 'ChangeWorkflowSettings', allowAppendProfessionals: true, now: changed }, changed, { email: admin.email })
    .then(
      { ...common, type: 'AddProfessionals', professionals: [{ id: 'u-pro', facts: { userId: 'u-pro', organisationId: ORG, name: 'Dr Pro', professional: true, active: true } }], days: 30, reason: 'Coaching', now: added },
      added,
      { email: admin.email },
    );

  it('has a timeline', () => {
    const timeline = timelineOf(workflowDecider, recorded).entries;
    expect(timeline.map((e) => e.summary)).toEqual([
      'Workflow wf-1 created in organisation org-1 by ada@example.org; appending professionals later not allowed',
      'Workflow wf-1: appending professionals later allowed from now on, set by ada@example.org',
      'Professional u-pro added to workflow wf-1 by ada@example.org: participants are asked for consent for 30 days',
    ]);
    expect(timeline[1].changes).toEqual([{ field: 'allowAppendProfessionals', from: false, to: true }]);
    expect(timeline[2].changes).toEqual([{ field: 'professionals[0]', from: null, to: { professional: { id: 'u-pro', name: 'Dr Pro' }, days: 30, reason: 'Coaching', addedAt: added } }]);
    expect(timeline[2].reason).toBe('Coaching');
  });

  it('has a state between two events, and none before the first', () => {
    expect(stateAt(workflowDecider, recorded, later(changed))).toMatchObject({ revision: 1, state: { allowAppendProfessionals: true, professionals: [] } });
    expect(stateAt(workflowDecider, recorded, later(created))).toMatchObject({ revision: 0, state: { allowAppendProfessionals: false } });
    expect(stateAt(workflowDecider, recorded, earlier(created))).toBeNull();
  });
});

describe('a participant and their grants replayed', () => {
  const pat = { id: 'sub-pat', email: 'pat@people.example', name: 'Pat' };
  const workflow = fold(workflowDecider, [
    historyOf(workflowDecider, workflowStream('wf-1')).then(
      {
        type: 'CreateWorkflow',
        caller: { id: 'a', email: 'a@x.org', name: null, userId: 'u-a', organisationId: ORG, administrator: true, professional: false, auditor: false },
        organisationId: ORG,
        workflowId: 'wf-1',
        organisationExists: true,
        name: 'Coaching',
        project: null,
        allowAppendProfessionals: false,
        now: '2026-04-01T00:00:00.000Z',
      },
      '2026-04-01T00:00:00.000Z',
    ).recorded[0],
  ]) as ExistingWorkflow;
  const withPro: ExistingWorkflow = { ...workflow, professionals: [{ professional: { id: 'u-pro', name: 'Dr Pro' }, days: 30, reason: 'Coaching', addedAt: '2026-04-01T00:00:00.000Z' }] };
  const [enrolled, consented, withdrawn] = ['2026-05-01T09:00:00.000Z', '2026-05-02T10:00:00.000Z', '2026-05-10T12:00:00.000Z'];
  const asPat = { id: pat.id, email: pat.email };
  const { recorded } = historyOf(participantDecider, participantStream(pat.id))
    .then({ type: 'EnrolParticipant', workflow: withPro, participant: pat, appendConsent: undefined, now: enrolled }, enrolled, asPat)
    .then({ type: 'AnswerConsentPrompt', workflow: withPro, professionalId: 'u-pro', decision: 'accept', grantId: 'g-1', now: consented }, consented, asPat)
    .then({ type: 'WithdrawConsent', grantId: 'g-1', now: withdrawn }, withdrawn, asPat);

  it('has a timeline of consents', () => {
    const timeline = timelineOf(participantDecider, recorded).entries;
    expect(timeline.map((e) => e.type)).toEqual(['ParticipantEnrolled', 'ConsentGiven', 'ConsentWithdrawn']);
    expect(timeline[1].summary).toBe('Participant sub-pat consented that professional u-pro sees their results in workflow wf-1 until 2026-06-01T10:00:00.000Z (consent given up front); grant g-1');
    expect(timeline[2].changes).toEqual(
      expect.arrayContaining([
        { field: 'revision', from: 1, to: 2 },
        { field: 'grants[0].status', from: 'active', to: 'withdrawn' },
        { field: 'grants[0].endedAt', from: null, to: withdrawn },
        { field: 'links["wf-1\\u001fu-pro"].status', from: 'active', to: 'withdrawn' },
      ]),
    );
  });

  it('has each grant as it stood at an instant: active between consent and withdrawal, withdrawn after, not there before', () => {
    const at = (instant: string) => {
      const folded = stateAt(participantDecider, recorded, instant);
      return folded && grantAt(folded.state, 'g-1', instant);
    };
    expect(at(later(consented))).toMatchObject({ participantId: 'sub-pat', activeAt: true, assignment: null, grant: { grantId: 'g-1', status: 'active', basis: 'prior_consent', version: 1 } });
    expect(at(later(withdrawn))).toMatchObject({ activeAt: false, grant: { status: 'withdrawn', endedAt: withdrawn, version: 2 } });
    expect(at(earlier(consented))).toBeNull();
    expect(at(earlier(enrolled))).toBeNull();
  });

  it('has a grant past its until inactive at that instant, even before its expiry is recorded', () => {
    const { recorded: running } = historyOf(participantDecider, participantStream(pat.id))
      .then({ type: 'EnrolParticipant', workflow: withPro, participant: pat, appendConsent: undefined, now: enrolled }, enrolled, asPat)
      .then({ type: 'AnswerConsentPrompt', workflow: withPro, professionalId: 'u-pro', decision: 'accept', grantId: 'g-1', now: consented }, consented, asPat);
    const afterUntil = '2026-07-01T00:00:00.000Z';
    const folded = stateAt(participantDecider, running, afterUntil)!;
    expect(grantAt(folded.state, 'g-1', afterUntil)).toMatchObject({ activeAt: false, grant: { status: 'active' } });
    expect(grantAt(folded.state, 'g-unknown', afterUntil)).toBeNull();
  });
});
