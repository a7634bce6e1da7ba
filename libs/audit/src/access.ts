import { RecordedEvent } from '@access-ledger/core';
import {
  Assignment,
  Grant,
  GrantBasis,
  Link,
  ParticipantState,
  Refusal,
  activeGrantFor,
  isActive,
  linkAt,
  pairKey,
  participantDecider,
  untilReached,
} from '@access-ledger/care-access';
import { stateAt } from './replay';

/** Who did a step, as the envelope of the event that did it says. */
export interface Step {
  readonly type: string;
  readonly at: string;
  readonly by: { readonly id: string; readonly email: string; readonly organisationId: string | null };
  readonly position: number;
  readonly revision: number;
}

const stepOf = (event: RecordedEvent): Step => ({
  type: event.type,
  at: event.metadata.occurredAt,
  by: { id: event.metadata.actor.id, email: event.metadata.actor.email, organisationId: event.metadata.actor.organisationId ?? null },
  position: event.position,
  revision: event.revision,
});

// ---- A grant as of a moment -------------------------------------------------------------
/** A grant's part of the participant's state at an instant, and whether it let its professional see the results then. */
export interface GrantAt {
  readonly participantId: string;
  readonly grant: Grant;
  /** The option-2 assignment it came from, as it stood then; null for a prompt accepted (option 1). */
  readonly assignment: Assignment | null;
  /** `isActive` at the instant: recorded active and before `until`. */
  readonly activeAt: boolean;
}

export const grantAt = (state: ParticipantState, grantId: string, at: string): GrantAt | null => {
  if (state.status !== 'known') return null;
  const grant = state.grants.find((g) => g.grantId === grantId);
  if (!grant) return null;
  const assignment = grant.assignmentId === null ? null : (state.assignments.find((a) => a.assignmentId === grant.assignmentId) ?? null);
  return { participantId: state.participantId, grant, assignment, activeAt: isActive(grant, at) };
};

// ---- Who could see what ----------------------------------------------------------------
export interface AccessQuestion {
  /** The participant's `sub`. */
  readonly participantId: string;
  /** The professional's directory user id. */
  readonly professionalId: string;
  readonly workflowId: string;
  /** The instant asked about (ISO, UTC). */
  readonly at: string;
}

/** A grant's whole story: how it was made and, if it ended, how, when and by whom. */
export interface GrantStory {
  readonly grantId: string;
  readonly basis: GrantBasis;
  readonly assignmentId: string | null;
  readonly reason: string;
  readonly from: string;
  readonly until: string;
  /** The event that made it: a consent given (by the participant), or an assignment active at once (by an administrator, on the participant's consent to appending). */
  readonly granted: Step;
  /**
   * Null while it runs. `withdrawn` at the withdrawal, by whoever withdrew it; `expired` at
   * `until`, with the AccessExpired event when the expiry reactor recorded it (null when not yet:
   * the access ended at `until` all the same).
   */
  readonly ended: { readonly how: 'withdrawn' | 'expired'; readonly at: string; readonly recorded: Step | null } | null;
}

export interface ResultsRequestSeen {
  readonly at: string;
  readonly decision: 'granted' | 'refused';
  readonly refusal: Refusal | null;
  readonly grantId: string | null;
  readonly grantVersion: number | null;
  readonly by: Step['by'];
  readonly position: number;
  readonly revision: number;
}

/** The results requests are shown from 7 days before to 7 days after the grant's lifetime (or the instant, when no grant concerns the two). */
export const RESULTS_REQUESTS_MARGIN_DAYS = 7;

export interface AccessAnswer extends AccessQuestion {
  /** Whether the participant's consent let the professional see their results in the workflow at that instant (`activeGrantFor`). */
  readonly access: boolean;
  /** The grant's basis when there was access. */
  readonly basis: GrantBasis | null;
  /** Revision of the participant's stream the answer was folded to; null when nothing about them was recorded by then. */
  readonly revision: number | null;
  /** When the participant enrolled in the workflow, if they had by then. */
  readonly enrolledAt: string | null;
  /** How things stood between the participant and the professional in the workflow at that instant (`linkAt`), if they were linked. */
  readonly link: Link | null;
  /** The grant that gave access then; without access, the latest grant between the two made by then (which had ended); null when none. */
  readonly grant: GrantStory | null;
  /** That professional's requests for the participant's results in the workflow, granted and refused, within the window. */
  readonly resultsRequests: {
    readonly window: { readonly from: string; readonly to: string; readonly around: 'grant' | 'at'; readonly marginDays: number };
    readonly items: readonly ResultsRequestSeen[];
  };
}

const DAY_MS = 86_400_000;
const shifted = (iso: string, days: number) => new Date(Date.parse(iso) + days * DAY_MS).toISOString();

/** How a grant was made and ended, from the states the stream's events fold to, one after the other (no event type is looked for). */
const storyOf = (recorded: readonly RecordedEvent[], grantId: string, now: string): GrantStory | null => {
  let state = participantDecider.initialState();
  let granted: Step | null = null;
  let ended: GrantStory['ended'] = null;
  let grant: Grant | undefined;
  for (const stored of recorded) {
    const next = participantDecider.evolve(state, participantDecider.catalogue.parse(stored));
    const after = next.status === 'known' ? next.grants.find((g) => g.grantId === grantId) : undefined;
    if (after && !granted) granted = stepOf(stored);
    if (after && after.status !== 'active' && ended === null) ended = { how: after.status, at: after.endedAt ?? after.until, recorded: stepOf(stored) };
    if (after) grant = after;
    state = next;
  }
  if (!grant || !granted) return null;
  if (ended === null && untilReached(grant.until, now)) ended = { how: 'expired', at: grant.until, recorded: null };
  const { basis, assignmentId, reason, from, until } = grant;
  return { grantId, basis, assignmentId, reason, from, until, granted, ended };
};

/**
 * Whether a professional could see a participant's results in a workflow at an instant, from the
 * participant's stream: folded up to that instant with the live `evolve`, then the domain's own
 * `activeGrantFor` at that instant. `now` is when the question is asked (an expiry not recorded
 * yet has ended if `until` is before it).
 */
export function accessAt(question: AccessQuestion, recorded: readonly RecordedEvent[], now: string): AccessAnswer {
  const { workflowId, professionalId, at } = question;
  const folded = stateAt(participantDecider, recorded, at);
  const state = folded?.state ?? participantDecider.initialState();
  const active = activeGrantFor(state, workflowId, professionalId, at);
  const known = state.status === 'known' ? state : null;
  const latest = known?.grants.filter((g) => g.workflowId === workflowId && g.professional.id === professionalId).at(-1);
  const concerned = active ?? latest;
  const grant = concerned ? storyOf(recorded, concerned.grantId, now) : null;
  const link = known?.links[pairKey(workflowId, professionalId)];

  const window = grant
    ? { from: shifted(grant.from, -RESULTS_REQUESTS_MARGIN_DAYS), to: shifted(grant.ended?.at ?? grant.until, RESULTS_REQUESTS_MARGIN_DAYS), around: 'grant' as const }
    : { from: shifted(at, -RESULTS_REQUESTS_MARGIN_DAYS), to: shifted(at, RESULTS_REQUESTS_MARGIN_DAYS), around: 'at' as const };
  const [from, to] = [Date.parse(window.from), Date.parse(window.to)];
  const items: ResultsRequestSeen[] = [];
  for (const stored of recorded) {
    if (stored.type !== 'ResultsAccessRequested') continue;
    const event = participantDecider.catalogue.parse(stored);
    if (event.type !== 'ResultsAccessRequested' || event.data.workflowId !== workflowId || event.data.professionalId !== professionalId) continue;
    const when = Date.parse(event.metadata.occurredAt);
    if (when < from || when > to) continue;
    const { decision, refusal, grantId, grantVersion } = event.data;
    const { by, position, revision } = stepOf(event);
    items.push({ at: event.metadata.occurredAt, decision, refusal, grantId, grantVersion, by, position, revision });
  }

  return {
    ...question,
    access: active !== undefined,
    basis: active?.basis ?? null,
    revision: folded?.revision ?? null,
    enrolledAt: known?.enrolments[workflowId]?.enrolledAt ?? null,
    link: link ? linkAt(link, at) : null,
    grant,
    resultsRequests: { window: { ...window, marginDays: RESULTS_REQUESTS_MARGIN_DAYS }, items },
  };
}
