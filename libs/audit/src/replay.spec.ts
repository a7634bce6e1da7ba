import fc from 'fast-check';
import { RecordedEvent, fold } from '@access-ledger/core';
import { accessRequestDecider, requestStream } from '@access-ledger/access-requests';
import { Caller, OrganisationState, organisationDecider, userDecider, userStream } from '@access-ledger/directory';
import { CareCaller, ExistingWorkflow, participantDecider, participantStream, workflowDecider, workflowStream } from '@access-ledger/care-access';
import { grantAt } from './access';
import { FoldCheckpoint, checkpointMatches, checkpointServes, stateAt, stateAtFrom, timelineOf } from './replay';
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

describe('a state as of an instant from a fold checkpoint', () => {
  const pat = { id: 'sub-pat', email: 'pat@people.example', name: 'Pat' };
  const workflow: ExistingWorkflow = {
    status: 'active', workflowId: 'wf-1', organisationId: ORG, name: 'Coaching', project: null, allowAppendProfessionals: false, createdAt: '2026-04-01T00:00:00.000Z',
    professionals: [{ professional: { id: 'u-pro', name: 'Dr Pro' }, days: 30, reason: 'Coaching', addedAt: '2026-04-01T00:00:00.000Z' }],
  };
  const asPat = { id: pat.id, email: pat.email };
  const base = Date.parse('2026-05-01T09:00:00.000Z');
  const minute = (i: number) => new Date(base + i * 60_000).toISOString();

  /**
   * A participant's stream as the live system writes it: enrolled, then results requests, a consent
   * and its withdrawal among them; each event's time a minute after the one before, give or take
   * `jitter` minutes (a command decided again after losing a race keeps its first time), and each
   * with a stream hash, as the stores write them.
   */
  const stream = (length: number, consentAt: number, withdrawAt: number, jitter: readonly number[]): RecordedEvent[] => {
    const history = historyOf(participantDecider, participantStream(pat.id));
    const time = (i: number) => minute(i + (jitter[i % jitter.length] ?? 0));
    history.then({ type: 'EnrolParticipant', workflow, participant: pat, appendConsent: undefined, now: time(0) }, time(0), asPat);
    for (let i = 1; history.recorded.length < length; i += 1) {
      const now = time(i);
      if (i === consentAt) history.then({ type: 'AnswerConsentPrompt', workflow, professionalId: 'u-pro', decision: 'accept', grantId: 'g-1', now }, now, asPat);
      else if (i === withdrawAt && i > consentAt) history.then({ type: 'WithdrawConsent', grantId: 'g-1', now }, now, asPat);
      else history.then({ type: 'RequestResultsAccess', workflow, asker: { userId: 'u-pro', professionalOfOrganisation: true, active: true }, now }, now, { id: 'sub-pro', organisationId: ORG });
    }
    return history.recorded.map((e, i) => ({ ...e, metadata: { ...e.metadata, streamHash: `hash-${i}` } }));
  };
  /** A checkpoint as the store gives it back: its JSON. */
  const stored = <S>(checkpoint: FoldCheckpoint<S>): FoldCheckpoint<S> => JSON.parse(JSON.stringify(checkpoint));

  it('is the state folded from the start, for every instant and every checkpoint that serves it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.array(fc.integer({ min: -3, max: 3 }), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 2, max: 7 }),
        (consentAt, withdrawAt, jitter, every) => {
          const recorded = stream(40, consentAt, withdrawAt, jitter);
          const { checkpoints } = stateAtFrom(participantDecider, null, recorded, minute(1000), every);
          expect(checkpoints.map((c) => c.revision)).toEqual(recorded.map((e) => e.revision).filter((r) => (r + 1) % every === 0));
          for (let i = -5; i <= 45; i += 2) {
            const at = new Date(base + i * 60_000 + 30_000).toISOString();
            const fromStart = stateAt(participantDecider, recorded, at);
            expect(stateAtFrom(participantDecider, null, recorded, at, every).folded).toEqual(fromStart);
            for (const checkpoint of checkpoints.filter((c) => checkpointServes(c, at)).map(stored)) {
              const { folded } = stateAtFrom(participantDecider, checkpoint, recorded.slice(checkpoint.revision + 1), at, every);
              expect(folded).toEqual(fromStart);
              expect(grantAt(folded!.state, 'g-1', at)).toEqual(fromStart && grantAt(fromStart.state, 'g-1', at));
            }
          }
        },
      ),
      { numRuns: 25 },
    );
  }, 60_000);

  it('serves only instants at or after the latest time folded into it, which may be an earlier event’s', () => {
    const recorded = stream(8, 2, 99, [0, 0, 0, 5, 0, 0]);
    // Event 3 occurred 5 minutes late, after event 4 (decided again after losing a race): the checkpoint after 4 carries event 3's time.
    const [checkpoint] = stateAtFrom(participantDecider, null, recorded, minute(1000), 5).checkpoints;
    expect(checkpoint).toMatchObject({ revision: 4, eventId: recorded[4].eventId, streamHash: 'hash-4', latestOccurredAt: recorded[3].metadata.occurredAt });
    expect(checkpointServes(checkpoint, recorded[4].metadata.occurredAt)).toBe(false);
    expect(checkpointServes(checkpoint, recorded[3].metadata.occurredAt)).toBe(true);
  });

  it('matches only the stored event it was taken after: a stream whose events were changed and chained again is folded from the start', () => {
    const recorded = stream(10, 2, 6, [0]);
    const [checkpoint] = stateAtFrom(participantDecider, null, recorded, minute(1000), 5).checkpoints;
    expect(checkpointMatches(checkpoint, recorded[4])).toBe(true);
    expect(checkpointMatches(checkpoint, { ...recorded[4], metadata: { ...recorded[4].metadata, streamHash: 'rechained' } })).toBe(false);
    expect(checkpointMatches(checkpoint, recorded[5])).toBe(false);
  });

  it('takes no checkpoint after an event without a stream hash (stored before the chain)', () => {
    const recorded = stream(10, 2, 6, [0]).map((e) => ({ ...e, metadata: { ...e.metadata, streamHash: undefined } }));
    expect(stateAtFrom(participantDecider, null, recorded, minute(1000), 5).checkpoints).toEqual([]);
  });
});
