import { ConflictError, Decider, NotFoundError, ValidationError } from '@access-ledger/core';
import { participantEvents } from './catalogue';
import { GrantBasis, ParticipantEvent, ParticipantRef, ProfessionalRef, Refusal } from './events';
import { CareCaller, ProfessionalFacts, requireCareAdministrator } from './caller';
import { ExistingWorkflow, WorkflowProfessional, checkProfessional, checkReason, professionalOf } from './workflow';

// ---- State --------------------------------------------------------------------------
export interface Enrolment {
  readonly workflowId: string;
  readonly organisationId: string;
  readonly participant: ParticipantRef;
  readonly appendConsentAsked: boolean;
  readonly appendConsent: boolean;
  readonly enrolledAt: string;
}

/** Permission for one professional to see the participant's results in one workflow, from `from` until `until`. */
export interface Grant {
  readonly grantId: string;
  readonly workflowId: string;
  readonly organisationId: string;
  readonly professional: ProfessionalRef;
  readonly basis: GrantBasis;
  readonly assignmentId: string | null;
  readonly reason: string;
  readonly from: string;
  readonly until: string;
  /** As recorded: `active` until withdrawn or until AccessExpired is recorded (`isActive` also looks at the clock). */
  readonly status: 'active' | 'withdrawn' | 'expired';
  /** Revision of the participant's stream of the event that last changed the grant. */
  readonly version: number;
  readonly endedAt: string | null;
}

/** Option 2: a professional assigned by an administrator. */
export interface Assignment {
  readonly assignmentId: string;
  readonly workflowId: string;
  readonly organisationId: string;
  readonly professional: ProfessionalRef;
  readonly endDate: string;
  readonly reason: string;
  readonly status: 'active' | 'pending_consent' | 'accepted' | 'declined';
  readonly grantId: string | null;
  readonly assignedAt: string;
}

/**
 * How things stand between the participant and one professional in one workflow, as the last
 * event about the two of them left it. `prompted` is not recorded: it is an option-1
 * professional the participant has not answered yet (`promptsFor`).
 */
export type LinkStatus = 'active' | 'declined' | 'pending_consent' | 'withdrawn' | 'expired';
export interface Link {
  readonly workflowId: string;
  readonly professional: ProfessionalRef;
  readonly status: LinkStatus;
  readonly grantId: string | null;
  readonly assignmentId: string | null;
  readonly until: string | null;
  /** The participant once declined or withdrew access for this professional in this workflow. */
  readonly refusedBefore: boolean;
}

export type ParticipantState =
  | { status: 'none' }
  | {
      status: 'known';
      participantId: string;
      /** Of the stream's last event: the version a decision is taken on. */
      revision: number;
      enrolments: Readonly<Record<string, Enrolment>>;
      grants: readonly Grant[];
      assignments: readonly Assignment[];
      /** Option-1 prompts answered, by `pairKey`. */
      answered: Readonly<Record<string, 'accepted' | 'declined'>>;
      links: Readonly<Record<string, Link>>;
    };
export type KnownParticipant = Exclude<ParticipantState, { status: 'none' }>;

export const pairKey = (workflowId: string, professionalId: string) => `${workflowId}\u001f${professionalId}`;

/** Whether access that lasts `until` has ended at `now`: it ends at `until` itself. The one comparison enforcement, ExpireAccess and the expiry sweeper make. */
export const untilReached = (until: string, now: string) => Date.parse(now) >= Date.parse(until);

/** A grant lets its professional see the results while recorded active and before `until`, whatever the reactor has recorded yet. */
export const isActive = (grant: Grant, now: string) => grant.status === 'active' && !untilReached(grant.until, now);

/**
 * The link as it stands at `now`: an active link past its `until` is expired even before
 * AccessExpired is recorded, and so is an assignment that ended before the participant answered.
 */
export const linkAt = (link: Link, now: string): Link =>
  (link.status === 'active' || link.status === 'pending_consent') && link.until !== null && untilReached(link.until, now) ? { ...link, status: 'expired' } : link;

type Evolving = ParticipantEvent & { readonly revision?: number };

/** A grant as the event that gives it (ConsentGiven, or an assignment active at once) states it; `version` is that event's revision. */
const newGrant = (
  d: Pick<Grant, 'grantId' | 'workflowId' | 'organisationId' | 'professional' | 'assignmentId' | 'reason'>,
  basis: GrantBasis,
  from: string,
  until: string,
  version: number,
): Grant => ({
  grantId: d.grantId,
  workflowId: d.workflowId,
  organisationId: d.organisationId,
  professional: d.professional,
  basis,
  assignmentId: d.assignmentId,
  reason: d.reason,
  from,
  until,
  status: 'active',
  version,
  endedAt: null,
});

const setLink = (state: KnownParticipant, workflowId: string, professional: ProfessionalRef, change: Omit<Link, 'workflowId' | 'professional' | 'refusedBefore'>): KnownParticipant['links'] => {
  const key = pairKey(workflowId, professional.id);
  const before = state.links[key];
  const refusedBefore = (before?.refusedBefore ?? false) || change.status === 'declined' || change.status === 'withdrawn';
  return { ...state.links, [key]: { workflowId, professional, refusedBefore, ...change } };
};

const endGrant = (state: KnownParticipant, grantId: string, status: 'withdrawn' | 'expired', at: string, version: number): KnownParticipant => {
  const grant = state.grants.find((g) => g.grantId === grantId);
  if (!grant) return state;
  const grants = state.grants.map((g) => (g.grantId === grantId ? { ...g, status, endedAt: at, version } : g));
  const key = pairKey(grant.workflowId, grant.professional.id);
  const link = state.links[key];
  if (link?.grantId === grantId) {
    return { ...state, grants, links: setLink(state, grant.workflowId, grant.professional, { status, grantId, assignmentId: link.assignmentId, until: link.until }) };
  }
  // The link is about another grant of the same professional (both options at once): it stays, but a withdrawal is a no all the same.
  const links = link && status === 'withdrawn' ? { ...state.links, [key]: { ...link, refusedBefore: true } } : state.links;
  return { ...state, grants, links };
};

const evolve = (state: ParticipantState, event: Evolving): ParticipantState => {
  if (state.status === 'none') {
    if (event.type !== 'ParticipantEnrolled') return state;
    state = { status: 'known', participantId: event.data.participant.id, revision: -1, enrolments: {}, grants: [], assignments: [], answered: {}, links: {} };
  }
  const revision = event.revision ?? state.revision + 1;
  const next: KnownParticipant = { ...state, revision };
  switch (event.type) {
    case 'ParticipantEnrolled': {
      const { workflowId, organisationId, participant, appendConsentAsked, appendConsent, enrolledAt } = event.data;
      return { ...next, enrolments: { ...next.enrolments, [workflowId]: { workflowId, organisationId, participant, appendConsentAsked, appendConsent, enrolledAt } } };
    }
    case 'ConsentGiven': {
      const d = event.data;
      return {
        ...next,
        grants: [...next.grants, newGrant(d, d.basis, d.from, d.until, revision)],
        assignments: next.assignments.map((a) => (a.assignmentId === d.assignmentId ? { ...a, status: 'accepted', grantId: d.grantId } : a)),
        answered: d.assignmentId === null ? { ...next.answered, [pairKey(d.workflowId, d.professional.id)]: 'accepted' } : next.answered,
        links: setLink(next, d.workflowId, d.professional, { status: 'active', grantId: d.grantId, assignmentId: d.assignmentId, until: d.until }),
      };
    }
    case 'ConsentDeclined': {
      const d = event.data;
      const key = pairKey(d.workflowId, d.professionalId);
      const assignment = next.assignments.find((a) => a.assignmentId === d.assignmentId);
      const professional = assignment?.professional ?? next.links[key]?.professional ?? { id: d.professionalId, name: '' };
      return {
        ...next,
        assignments: next.assignments.map((a) => (a.assignmentId === d.assignmentId ? { ...a, status: 'declined' } : a)),
        answered: d.assignmentId === null ? { ...next.answered, [key]: 'declined' } : next.answered,
        links: setLink(next, d.workflowId, professional, { status: 'declined', grantId: null, assignmentId: d.assignmentId, until: null }),
      };
    }
    case 'ProfessionalAssigned': {
      const d = event.data;
      const assignment: Assignment = {
        assignmentId: d.assignmentId,
        workflowId: d.workflowId,
        organisationId: d.organisationId,
        professional: d.professional,
        endDate: d.endDate,
        reason: d.reason,
        status: d.status,
        grantId: d.grantId,
        assignedAt: d.assignedAt,
      };
      const grants =
        d.status === 'active' && d.grantId !== null ? [...next.grants, newGrant({ ...d, grantId: d.grantId }, 'append_consent', d.assignedAt, d.endDate, revision)] : next.grants;
      return {
        ...next,
        assignments: [...next.assignments, assignment],
        grants,
        links: setLink(next, d.workflowId, d.professional, { status: d.status, grantId: d.grantId, assignmentId: d.assignmentId, until: d.endDate }),
      };
    }
    case 'ConsentWithdrawn':
      return endGrant(next, event.data.grantId, 'withdrawn', event.data.withdrawnAt, revision);
    case 'AccessExpired':
      return endGrant(next, event.data.grantId, 'expired', event.data.until, revision);
    case 'ConsentRequested':
    case 'ResultsAccessRequested':
      return next;
    default:
      return next;
  }
};

// ---- Reading the state --------------------------------------------------------------
export const enrolmentIn = (state: ParticipantState, workflowId: string): Enrolment | undefined => (state.status === 'known' ? state.enrolments[workflowId] : undefined);

/** Option-1 professionals of the workflow the participant has not answered: asked on enrolling and whenever they open the workflow. */
export const promptsFor = (workflow: ExistingWorkflow, state: ParticipantState): readonly WorkflowProfessional[] =>
  workflow.professionals.filter((p) => state.status !== 'known' || state.answered[pairKey(workflow.workflowId, p.professional.id)] === undefined);

/** The grant that lets the professional see the results now (the one lasting longest when there are several), if any. */
export const activeGrantFor = (state: ParticipantState, workflowId: string, professionalId: string, now: string): Grant | undefined =>
  state.status !== 'known'
    ? undefined
    : state.grants
        .filter((g) => g.workflowId === workflowId && g.professional.id === professionalId && isActive(g, now))
        .sort((a, b) => Date.parse(b.until) - Date.parse(a.until))[0];

const REFUSAL_OF_LINK: Record<LinkStatus, Refusal> = {
  active: 'no_consent',
  declined: 'consent_declined',
  pending_consent: 'consent_pending',
  withdrawn: 'consent_withdrawn',
  expired: 'access_expired',
};

// ---- Commands -----------------------------------------------------------------------
export type EnrolParticipant = {
  type: 'EnrolParticipant';
  workflow: ExistingWorkflow;
  participant: ParticipantRef;
  /** Undefined when the participant did not answer; only asked in a workflow that allows appending professionals. */
  appendConsent: boolean | undefined;
  now: string;
};
export type AnswerConsentPrompt = {
  type: 'AnswerConsentPrompt';
  workflow: ExistingWorkflow;
  professionalId: string;
  decision: 'accept' | 'decline';
  /** The id the grant gets when accepted. */
  grantId: string;
  now: string;
};
/**
 * One participant of an administrator's assignment (the organisation in the path, the workflow
 * as folded), and the professional as the directory knows them now.
 */
export type AssignProfessional = {
  type: 'AssignProfessional';
  caller: CareCaller;
  organisationId: string;
  workflow: ExistingWorkflow;
  participantId: string;
  assignmentId: string;
  grantId: string;
  professional: { readonly id: string; readonly facts: ProfessionalFacts };
  endDate: string;
  reason: string;
  now: string;
};
export type AnswerAssignment = { type: 'AnswerAssignment'; assignmentId: string; decision: 'accept' | 'decline'; grantId: string; now: string };
export type WithdrawConsent = { type: 'WithdrawConsent'; grantId: string; now: string };
/** From the expiry reactor: records AccessExpired once `until` has passed; nothing otherwise. */
export type ExpireAccess = { type: 'ExpireAccess'; grantId: string; now: string };
/**
 * A request for the participant's results in a workflow. `asker`: the caller's directory user
 * id (null outside the directory), and whether they are an active professional of the
 * workflow's organisation, as the directory's streams say now.
 */
export type RequestResultsAccess = {
  type: 'RequestResultsAccess';
  workflow: ExistingWorkflow;
  asker: { readonly userId: string | null; readonly professionalOfOrganisation: boolean; readonly active: boolean };
  now: string;
};
export type ParticipantCommand = EnrolParticipant | AnswerConsentPrompt | AssignProfessional | AnswerAssignment | WithdrawConsent | ExpireAccess | RequestResultsAccess;

const notEnrolled = (participantId?: string) =>
  new NotFoundError('participant-not-enrolled', 'The participant is not enrolled in this workflow.', participantId === undefined ? {} : { participantId });

const enrolled = (state: ParticipantState, workflowId: string): KnownParticipant => {
  if (state.status !== 'known' || !state.enrolments[workflowId]) throw notEnrolled();
  return state;
};

const enrol = (command: EnrolParticipant, state: ParticipantState): ParticipantEvent[] => {
  const { workflow } = command;
  if (enrolmentIn(state, workflow.workflowId)) throw new ConflictError('already-enrolled', 'You are already enrolled in this workflow; open its consent prompts instead.');
  if (command.appendConsent !== undefined && !workflow.allowAppendProfessionals) {
    throw new ValidationError('append-consent-not-asked', 'This workflow does not append professionals later, so appendConsent is not asked.', { field: 'appendConsent' });
  }
  return [
    {
      type: 'ParticipantEnrolled',
      data: {
        workflowId: workflow.workflowId,
        organisationId: workflow.organisationId,
        participant: command.participant,
        appendConsentAsked: workflow.allowAppendProfessionals,
        appendConsent: workflow.allowAppendProfessionals && command.appendConsent === true,
        enrolledAt: command.now,
      },
    },
  ];
};

const addDays = (iso: string, days: number) => new Date(Date.parse(iso) + days * 86_400_000).toISOString();

const answerPrompt = (command: AnswerConsentPrompt, state: ParticipantState): ParticipantEvent[] => {
  const { workflow } = command;
  const participant = enrolled(state, workflow.workflowId);
  const entry = professionalOf(workflow, command.professionalId);
  if (!entry) throw new NotFoundError('consent-prompt-not-found', 'This professional is not on the workflow, so there is nothing to answer.');
  if (participant.answered[pairKey(workflow.workflowId, command.professionalId)]) {
    throw new ConflictError('consent-prompt-answered', 'You already answered for this professional in this workflow.');
  }
  const ids = { workflowId: workflow.workflowId, organisationId: workflow.organisationId, participantId: participant.participantId };
  if (command.decision === 'decline') {
    return [{ type: 'ConsentDeclined', data: { ...ids, professionalId: command.professionalId, assignmentId: null, declinedAt: command.now } }];
  }
  return [
    {
      type: 'ConsentGiven',
      data: {
        ...ids,
        grantId: command.grantId,
        participant: participant.enrolments[workflow.workflowId].participant,
        professional: entry.professional,
        basis: 'prior_consent',
        assignmentId: null,
        reason: entry.reason,
        from: command.now,
        until: addDays(command.now, entry.days),
        givenAt: command.now,
      },
    },
  ];
};

/**
 * Option 2. Active at once when the participant allowed appending professionals on enrolling,
 * unless they once declined or withdrew this professional in this workflow: then they are
 * asked by mail like everyone who did not allow it (a new assignment never overrides a no).
 */
const assign = (command: AssignProfessional, state: ParticipantState): ParticipantEvent[] => {
  const { workflow } = command;
  requireCareAdministrator(command.caller, command.organisationId);
  if (workflow.organisationId !== command.organisationId) throw new NotFoundError('workflow-not-found', 'No such workflow in this organisation.');
  const professional = checkProfessional(command.professional.id, command.professional.facts, workflow.organisationId);
  if (!workflow.allowAppendProfessionals) throw new ConflictError('appending-not-allowed', 'This workflow does not allow appending professionals later.');
  if (state.status !== 'known' || !state.enrolments[workflow.workflowId]) throw notEnrolled(command.participantId);
  const participant = state;
  if (!(Date.parse(command.endDate) > Date.parse(command.now))) throw new ValidationError('end-date-not-in-future', 'endDate must be in the future.', { field: 'endDate' });
  // One form for every recorded moment (UTC, milliseconds), so that `until`s sort as strings in the read models as they do in time.
  const endDate = new Date(Date.parse(command.endDate)).toISOString();
  const reason = checkReason(command.reason);
  const key = pairKey(workflow.workflowId, professional.id);
  const link = participant.links[key] ? linkAt(participant.links[key], command.now) : undefined;
  const pendingStillOpen =
    link?.status === 'pending_consent' && participant.assignments.some((a) => a.assignmentId === link.assignmentId && !untilReached(a.endDate, command.now));
  if (activeGrantFor(participant, workflow.workflowId, professional.id, command.now) || pendingStillOpen) {
    throw new ConflictError('already-assigned', 'This professional already has, or is waiting for, access to this participant in this workflow.', {
      participantId: participant.participantId,
    });
  }
  const enrolment = participant.enrolments[workflow.workflowId];
  const activeAtOnce = enrolment.appendConsent && !(link?.refusedBefore ?? false);
  const ids = { workflowId: workflow.workflowId, organisationId: workflow.organisationId, participantId: participant.participantId };
  const assigned: ParticipantEvent = {
    type: 'ProfessionalAssigned',
    data: {
      ...ids,
      assignmentId: command.assignmentId,
      participant: enrolment.participant,
      professional,
      endDate,
      reason,
      status: activeAtOnce ? 'active' : 'pending_consent',
      grantId: activeAtOnce ? command.grantId : null,
      assignedAt: command.now,
    },
  };
  if (activeAtOnce) return [assigned];
  return [
    assigned,
    {
      type: 'ConsentRequested',
      data: {
        ...ids,
        assignmentId: command.assignmentId,
        participant: enrolment.participant,
        workflowName: workflow.name,
        professional,
        endDate,
        reason,
        consentPath: `/assignments/${command.assignmentId}/consent`,
        requestedAt: command.now,
      },
    },
  ];
};

const answerAssignment = (command: AnswerAssignment, state: ParticipantState): ParticipantEvent[] => {
  const assignment = state.status === 'known' ? state.assignments.find((a) => a.assignmentId === command.assignmentId) : undefined;
  if (state.status !== 'known' || !assignment) throw new NotFoundError('assignment-not-found', 'You have no such assignment.');
  if (assignment.status !== 'pending_consent') throw new ConflictError('assignment-answered', 'This assignment does not wait for your consent.', { currentStatus: assignment.status });
  if (untilReached(assignment.endDate, command.now)) throw new ConflictError('assignment-ended', 'This assignment ended before you answered.');
  const ids = { workflowId: assignment.workflowId, organisationId: assignment.organisationId, participantId: state.participantId };
  if (command.decision === 'decline') {
    return [{ type: 'ConsentDeclined', data: { ...ids, professionalId: assignment.professional.id, assignmentId: assignment.assignmentId, declinedAt: command.now } }];
  }
  return [
    {
      type: 'ConsentGiven',
      data: {
        ...ids,
        grantId: command.grantId,
        participant: state.enrolments[assignment.workflowId].participant,
        professional: assignment.professional,
        basis: 'mail_consent',
        assignmentId: assignment.assignmentId,
        reason: assignment.reason,
        from: command.now,
        until: assignment.endDate,
        givenAt: command.now,
      },
    },
  ];
};

const grantOf = (state: ParticipantState, grantId: string): Grant => {
  const grant = state.status === 'known' ? state.grants.find((g) => g.grantId === grantId) : undefined;
  if (!grant) throw new NotFoundError('grant-not-found', 'You have no such grant.');
  return grant;
};

const withdraw = (command: WithdrawConsent, state: ParticipantState): ParticipantEvent[] => {
  const grant = grantOf(state, command.grantId);
  if (!isActive(grant, command.now)) {
    throw new ConflictError('grant-not-active', 'This access has already ended.', { currentStatus: grant.status === 'active' ? 'expired' : grant.status });
  }
  const participantId = (state as KnownParticipant).participantId;
  return [
    {
      type: 'ConsentWithdrawn',
      data: { workflowId: grant.workflowId, organisationId: grant.organisationId, participantId, grantId: grant.grantId, professionalId: grant.professional.id, withdrawnAt: command.now },
    },
  ];
};

const expire = (command: ExpireAccess, state: ParticipantState): ParticipantEvent[] => {
  const grant = state.status === 'known' ? state.grants.find((g) => g.grantId === command.grantId) : undefined;
  if (!grant || grant.status !== 'active' || !untilReached(grant.until, command.now)) return [];
  const { workflowId, organisationId, grantId, until } = grant;
  return [
    {
      type: 'AccessExpired',
      data: { workflowId, organisationId, participantId: (state as KnownParticipant).participantId, grantId, professionalId: grant.professional.id, until, recordedAt: command.now },
    },
  ];
};

/**
 * Every request for results in a workflow the participant is enrolled in is recorded, granted or
 * refused. Granted only while a grant of the asker is active (not withdrawn, before `until`)
 * and the asker is an active professional of the workflow's organisation.
 */
const requestResults = (command: RequestResultsAccess, state: ParticipantState): ParticipantEvent[] => {
  const { workflow, asker, now } = command;
  const participant = enrolled(state, workflow.workflowId);
  const base = {
    workflowId: workflow.workflowId,
    organisationId: workflow.organisationId,
    participantId: participant.participantId,
    professionalId: asker.userId,
    decidedOnRevision: participant.revision,
    requestedAt: now,
  };
  const refused = (refusal: Refusal, grantId: string | null = null): ParticipantEvent[] => [
    { type: 'ResultsAccessRequested', data: { ...base, decision: 'refused', basis: null, grantId, grantVersion: null, until: null, refusal } },
  ];
  if (asker.userId === null || !asker.professionalOfOrganisation) return refused('not_a_professional');
  const grant = activeGrantFor(participant, workflow.workflowId, asker.userId, now);
  if (grant && !asker.active) return refused('professional_deactivated', grant.grantId);
  if (!grant) {
    const link = participant.links[pairKey(workflow.workflowId, asker.userId)];
    return refused(link ? REFUSAL_OF_LINK[linkAt(link, now).status] : 'no_consent', link?.grantId ?? null);
  }
  return [
    {
      type: 'ResultsAccessRequested',
      data: { ...base, decision: 'granted', basis: grant.basis, grantId: grant.grantId, grantVersion: grant.version, until: grant.until, refusal: null },
    },
  ];
};

export const participantDecider: Decider<ParticipantCommand, ParticipantEvent, ParticipantState> = {
  initialState: () => ({ status: 'none' }),
  evolve,
  catalogue: participantEvents,
  decide: (command, state) => {
    switch (command.type) {
      case 'EnrolParticipant':
        return enrol(command, state);
      case 'AnswerConsentPrompt':
        return answerPrompt(command, state);
      case 'AssignProfessional':
        return assign(command, state);
      case 'AnswerAssignment':
        return answerAssignment(command, state);
      case 'WithdrawConsent':
        return withdraw(command, state);
      case 'ExpireAccess':
        return expire(command, state);
      case 'RequestResultsAccess':
        return requestResults(command, state);
      default: {
        const unknown: never = command;
        throw new Error(`Unknown command ${JSON.stringify(unknown)}`);
      }
    }
  },
};
