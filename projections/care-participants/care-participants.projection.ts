import { Recorded } from '@access-ledger/core';
import type { Projection } from '@access-ledger/read-store';
import { GrantBasis, LinkStatus, ParticipantEvent, careAccessEvents } from '@access-ledger/care-access';

/** How things stand between the participant and one professional in the workflow, as last recorded. */
export type CareParticipantLink = {
  professionalId: string;
  professionalName: string;
  status: LinkStatus;
  /** Until when access lasts (active, withdrawn, expired) or would last (pending_consent: the assignment's end date). */
  until: string | null;
  grantId: string | null;
  assignmentId: string | null;
  /** Why access was granted; null while pending and after a decline. */
  basis: GrantBasis | null;
};

/**
 * One participant of one workflow, for the workflow's participants overview. `prompted` is not
 * recorded: the query shows an option-1 professional of the workflow the participant has not
 * answered (not in `answeredPrompts`) as prompted, and an active link past its `until` as expired.
 */
export type CareParticipantRow = CareParticipantFacts & {
  // ---- for the overview's status filter (docs/decisions.md, "Care access read models") ----
  /** Number of `answeredPrompts`: prompted ⇔ fewer than the workflow's option-1 professionals. */
  promptAnswers: number;
  /** A link is recorded in this status. */
  linkActive: boolean;
  linkDeclined: boolean;
  linkPendingConsent: boolean;
  linkWithdrawn: boolean;
  /**
   * A link is recorded active, pending_consent or expired: the candidates of `status=expired`,
   * since an active link and an open assignment end with the clock (`linkAt`).
   */
  linkMayBeExpired: boolean;
};
export type CareParticipantFacts = {
  id: string;
  workflowId: string;
  organisationId: string;
  participantId: string;
  participantEmail: string;
  participantName: string | null;
  /** Name, else e-mail: what the overview shows and sorts by. */
  participantLabel: string;
  appendConsentAsked: boolean;
  appendConsent: boolean;
  enrolledAt: string;
  updatedAt: string;
  /** One per professional, in the order they were first linked. */
  links: CareParticipantLink[];
  /** The option-1 professionals the participant answered (accepted or declined), by id. */
  answeredPrompts: string[];
};

export const CARE_PARTICIPANTS = 'care_participants';
export const careParticipantId = (workflowId: string, participantId: string) => `${workflowId}:${participantId}`;

type Handled = Exclude<ParticipantEvent, { type: 'ConsentRequested' | 'ResultsAccessRequested' }>;
const events = careAccessEvents.only<Handled['type']>('care participant row events', [
  'ParticipantEnrolled',
  'ConsentGiven',
  'ConsentDeclined',
  'ProfessionalAssigned',
  'ConsentWithdrawn',
  'AccessExpired',
]);

/** The filter fields follow from the links and answers; set on every change, so they never disagree with them. */
const withFilterFields = (row: CareParticipantFacts): CareParticipantRow => {
  const has = (status: LinkStatus) => row.links.some((link) => link.status === status);
  return {
    ...row,
    promptAnswers: row.answeredPrompts.length,
    linkActive: has('active'),
    linkDeclined: has('declined'),
    linkPendingConsent: has('pending_consent'),
    linkWithdrawn: has('withdrawn'),
    linkMayBeExpired: has('active') || has('pending_consent') || has('expired'),
  };
};

/** The row with the link to `professionalId` replaced (or added at the end); its name is kept when the event does not carry one. */
const setLink = (doc: CareParticipantRow, professionalId: string, change: Omit<CareParticipantLink, 'professionalId' | 'professionalName'>, name?: string): CareParticipantRow['links'] => {
  const before = doc.links.find((link) => link.professionalId === professionalId);
  const link: CareParticipantLink = { professionalId, professionalName: name ?? before?.professionalName ?? '', ...change };
  return before ? doc.links.map((l) => (l === before ? link : l)) : [...doc.links, link];
};

const answered = (doc: CareParticipantRow, professionalId: string, assignmentId: string | null) =>
  assignmentId === null && !doc.answeredPrompts.includes(professionalId) ? [...doc.answeredPrompts, professionalId] : doc.answeredPrompts;

/** A grant ended (withdrawn, expired): its link says so when the link is still about that grant. */
const endGrant = (doc: CareParticipantRow, professionalId: string, grantId: string, status: 'withdrawn' | 'expired'): CareParticipantRow['links'] => {
  const link = doc.links.find((l) => l.professionalId === professionalId);
  return link?.grantId === grantId ? setLink(doc, professionalId, { ...link, status }) : doc.links;
};

/**
 * Every change sets state (a link by professional, an answer by professional), none counts, so
 * an event applied again leaves the row as it was.
 */
const evolve = (doc: CareParticipantRow | null, event: Recorded<Handled>): CareParticipantRow | null => {
  const at = event.metadata.occurredAt;
  if (event.type === 'ParticipantEnrolled') {
    if (doc !== null) return doc;
    const { workflowId, organisationId, participant, appendConsentAsked, appendConsent, enrolledAt } = event.data;
    return withFilterFields({
      id: careParticipantId(workflowId, participant.id),
      workflowId,
      organisationId,
      participantId: participant.id,
      participantEmail: participant.email,
      participantName: participant.name,
      participantLabel: participant.name ?? participant.email,
      appendConsentAsked,
      appendConsent,
      enrolledAt,
      updatedAt: enrolledAt,
      links: [],
      answeredPrompts: [],
    });
  }
  if (doc === null) return null;
  switch (event.type) {
    case 'ConsentGiven': {
      const d = event.data;
      const links = setLink(doc, d.professional.id, { status: 'active', until: d.until, grantId: d.grantId, assignmentId: d.assignmentId, basis: d.basis }, d.professional.name);
      return withFilterFields({ ...doc, links, answeredPrompts: answered(doc, d.professional.id, d.assignmentId), updatedAt: at });
    }
    case 'ConsentDeclined': {
      const d = event.data;
      const links = setLink(doc, d.professionalId, { status: 'declined', until: null, grantId: null, assignmentId: d.assignmentId, basis: null });
      return withFilterFields({ ...doc, links, answeredPrompts: answered(doc, d.professionalId, d.assignmentId), updatedAt: at });
    }
    case 'ProfessionalAssigned': {
      const d = event.data;
      const basis = d.status === 'active' ? 'append_consent' : null;
      const links = setLink(doc, d.professional.id, { status: d.status, until: d.endDate, grantId: d.grantId, assignmentId: d.assignmentId, basis }, d.professional.name);
      return withFilterFields({ ...doc, links, updatedAt: at });
    }
    case 'ConsentWithdrawn':
      return withFilterFields({ ...doc, links: endGrant(doc, event.data.professionalId, event.data.grantId, 'withdrawn'), updatedAt: at });
    case 'AccessExpired':
      return withFilterFields({ ...doc, links: endGrant(doc, event.data.professionalId, event.data.grantId, 'expired'), updatedAt: at });
    default:
      return doc;
  }
};

const FILTERS = ['promptAnswers', 'linkActive', 'linkDeclined', 'linkPendingConsent', 'linkWithdrawn', 'linkMayBeExpired'] as const;
/** The overview's status filter, by the stored field that narrows it. */
export type CareParticipantFilterField = (typeof FILTERS)[number];

/** The participants of every workflow, one row per (workflow, participant), listed per workflow by name. */
export const careParticipantsProjection: Projection<CareParticipantRow, Handled> = {
  name: CARE_PARTICIPANTS,
  collection: {
    name: CARE_PARTICIPANTS,
    fields: ['workflowId', 'organisationId', 'participantId', 'enrolledAt', ...FILTERS],
    searchable: ['participantLabel', 'participantEmail', 'participantName'],
    indexes: [['workflowId', 'participantLabel'], ...FILTERS.map((field) => ['workflowId', field, 'participantLabel'])],
  },
  handles: events.types,
  parse: events.parse,
  documentId: (event) =>
    event.type === 'ParticipantEnrolled' ? careParticipantId(event.data.workflowId, event.data.participant.id) : careParticipantId(event.data.workflowId, event.data.participantId),
  evolve,
};
