import type { AuditEvent, AuditEventAgent, AuditEventEntity, AuditEventEntityDetail } from 'fhir/r4';
import { Actor, Recorded, RecordedEvent } from '@access-ledger/core';
import { AccessRequestEvent, accessRequestEvents } from '@access-ledger/access-requests';
import { CareAccessEvent, ResultsAccessRequested, careAccessEvents } from '@access-ledger/care-access';
import { DirectoryEvent, directoryEvents } from '@access-ledger/directory';
import { AGENT_TYPES, ENTITY_ROLES, ENTITY_TYPES, EVENT_TYPES, SOURCE_TYPES, concept } from './codes';
import { FHIR_SYSTEMS, THIS_SERVICE, grantPolicy, referenceTo } from './references';

/**
 * Recorded events as FHIR R4 AuditEvent resources, following the IHE Basic Audit Log Patterns
 * (BALP): a results-access request as an authorization decision (AuthZconsent: permit or deny,
 * its policy the consent grant at its version), every other event of a context as the Create
 * or Update pattern (PatientCreate / PatientUpdate when a participant is concerned). See
 * docs/decisions.md for what is created and what updated, and what is left out.
 *
 * Pure: the resource follows from the stored event alone (read through its context's
 * catalogue), so the same event always gives the same resource, its `id` the event's id.
 */
export type FhirAuditEvent = AuditEvent;

/** Every event of a context: the ones with a mapping of their own. */
type ContextEvent = DirectoryEvent | AccessRequestEvent | CareAccessEvent;

const CATALOGUES = [directoryEvents, accessRequestEvents, careAccessEvents] as const;

const parse = (recorded: RecordedEvent): Recorded<ContextEvent> | null => {
  const catalogue = CATALOGUES.find((c) => c.includes(recorded.type));
  return catalogue ? (catalogue.parse(recorded) as Recorded<ContextEvent>) : null;
};

// ---- Entities --------------------------------------------------------------------------
const entity = (what: AuditEventEntity['what'], type: AuditEventEntity['type'], role: AuditEventEntity['role']): AuditEventEntity => ({ what, type, role });
const organisation = (id: string) => entity(referenceTo('organisation', id, 'Organization'), ENTITY_TYPES.organization, ENTITY_ROLES.domainResource);
const user = (id: string) => entity(referenceTo('user', id), ENTITY_TYPES.person, ENTITY_ROLES.securityUser);
const professional = (id: string) => entity(referenceTo('user', id, 'Practitioner'), ENTITY_TYPES.person, ENTITY_ROLES.practitioner);
const request = (id: string) => entity(referenceTo('request', id), ENTITY_TYPES.systemObject, ENTITY_ROLES.domainResource);
const workflow = (id: string) => entity(referenceTo('workflow', id), ENTITY_TYPES.systemObject, ENTITY_ROLES.domainResource);
const grant = (id: string) => entity(referenceTo('grant', id, 'Consent'), ENTITY_TYPES.systemObject, ENTITY_ROLES.domainResource);
const assignment = (id: string) => entity(referenceTo('assignment', id), ENTITY_TYPES.systemObject, ENTITY_ROLES.domainResource);
const patient = (participantId: string) => entity(referenceTo('subject', participantId, 'Patient'), ENTITY_TYPES.person, ENTITY_ROLES.patient);
const detail = (type: string, value: string | number): AuditEventEntityDetail => ({ type, valueString: String(value) });

/** The record the event was appended to: its stream, at the revision and global position of the event. */
const record = (recorded: RecordedEvent, more: AuditEventEntityDetail[] = []): AuditEventEntity => ({
  ...entity(referenceTo('stream', recorded.streamId), ENTITY_TYPES.systemObject, ENTITY_ROLES.domainResource),
  detail: [
    detail('eventType', recorded.type),
    detail('revision', recorded.revision),
    detail('position', recorded.position),
    detail('correlationId', recorded.metadata.correlationId),
    ...more,
  ],
});

// ---- Agents ------------------------------------------------------------------------------
/** Who acted, as the caller was authorised for the call (metadata.actor). */
const actorAgent = (actor: Actor, type: AuditEventAgent['type'], extra: Partial<AuditEventAgent> = {}): AuditEventAgent => ({
  type,
  ...(actor.roles.length > 0 ? { role: [concept(...actor.roles.map((code) => ({ system: FHIR_SYSTEMS.role, code })))] } : {}),
  who: referenceTo('subject', actor.id, undefined, actor.email),
  requestor: true,
  ...extra,
});
/** The organisation the actor acted for, when the call was organisation-scoped. */
const actorOrganisation = (actor: Actor): AuditEventAgent[] =>
  actor.organisationId ? [{ type: AGENT_TYPES.healthcareProvider, who: referenceTo('organisation', actor.organisationId, 'Organization'), requestor: false }] : [];
const serviceAgent: AuditEventAgent = { type: AGENT_TYPES.destination, who: THIS_SERVICE, requestor: false };

const source: AuditEvent['source'] = { observer: THIS_SERVICE, type: [SOURCE_TYPES.applicationServer] };

const eventTypeCoding = (type: string) => ({ system: FHIR_SYSTEMS.eventType, code: type, display: type });

// ---- Create and Update -------------------------------------------------------------------
/** What an event created or changed: the entity first, then the others it names; and the participant it is about, if any. */
interface Change {
  readonly action: 'C' | 'U';
  readonly participantId: string | null;
  readonly objects: readonly AuditEventEntity[];
}
type ChangeEvent = Exclude<ContextEvent, ResultsAccessRequested>;

const created = (objects: AuditEventEntity[], participantId: string | null = null): Change => ({ action: 'C', participantId, objects });
const updated = (objects: AuditEventEntity[], participantId: string | null = null): Change => ({ action: 'U', participantId, objects });
const orNone = <T>(value: T | null, f: (value: T) => AuditEventEntity): AuditEventEntity[] => (value === null ? [] : [f(value)]);

/**
 * Create when the event brings an entity into being (an organisation, a user, an e-mail
 * reservation, a request, a workflow, an enrolment, a grant, an assignment); Update when it
 * changes one that exists. The first entity after the record is the one created or changed.
 */
const changeOf = (event: ChangeEvent): Change => {
  switch (event.type) {
    // Directory
    case 'OrganisationRegistered':
      return created([organisation(event.data.organisationId)]);
    case 'LeadAdministratorChangeAdmitted':
      return updated([organisation(event.data.organisationId), user(event.data.userId)]);
    case 'UserAdded':
      return created([user(event.data.userId), organisation(event.data.organisationId)]);
    case 'UserPermissionLevelChanged':
    case 'UserDesignationsChanged':
    case 'UserClinicianStatusChanged':
    case 'UserDeactivated':
    case 'UserReactivated':
    // Downstream's report of what it did with the user's account: an update of the user as recorded here.
    case 'UserAccountProvisioned':
    case 'UserAccountDisabled':
    case 'UserAccountProvisioningFailed':
      return updated([user(event.data.userId), organisation(event.data.organisationId)]);
    case 'EmailReserved':
      // The reservation is the record itself (its stream); it names the user it is for.
      return created([user(event.data.userId), organisation(event.data.organisationId)]);
    // Access requests
    case 'RequestCreated':
      return created([request(event.data.requestId), organisation(event.data.organisationId)]);
    case 'ApprovalRequested':
    case 'RequestApproved':
    case 'RequestRejected':
    case 'RequestWithdrawn':
    // Downstream's report on the request's account; recording it succeeded (outcome 0) whatever it reports.
    case 'AccountProvisioned':
    case 'AccountProvisioningFailed':
      return updated([request(event.data.requestId), organisation(event.data.organisationId)]);
    // Care access: workflows
    case 'WorkflowCreated':
      return created([workflow(event.data.workflowId), organisation(event.data.organisationId)]);
    case 'WorkflowSettingsChanged':
      return updated([workflow(event.data.workflowId), organisation(event.data.organisationId)]);
    case 'ProfessionalAddedToWorkflow':
      return updated([workflow(event.data.workflowId), professional(event.data.professional.id), organisation(event.data.organisationId)]);
    // Care access: participants. An enrolment is the participant (the patient entity) in the workflow.
    case 'ParticipantEnrolled':
      return created([workflow(event.data.workflowId), organisation(event.data.organisationId)], event.data.participant.id);
    case 'ConsentGiven': {
      const d = event.data;
      return created([grant(d.grantId), professional(d.professional.id), workflow(d.workflowId), ...orNone(d.assignmentId, assignment), organisation(d.organisationId)], d.participantId);
    }
    case 'ConsentDeclined': {
      // Answers an assignment (option 2), or the enrolment's prompt for the professional (option 1).
      const d = event.data;
      return updated([...orNone(d.assignmentId, assignment), workflow(d.workflowId), professional(d.professionalId), organisation(d.organisationId)], d.participantId);
    }
    case 'ProfessionalAssigned': {
      const d = event.data;
      return created([assignment(d.assignmentId), ...orNone(d.grantId, grant), professional(d.professional.id), workflow(d.workflowId), organisation(d.organisationId)], d.participantId);
    }
    case 'ConsentRequested': {
      const d = event.data;
      return updated([assignment(d.assignmentId), professional(d.professional.id), workflow(d.workflowId), organisation(d.organisationId)], d.participantId);
    }
    case 'ConsentWithdrawn':
    case 'AccessExpired': {
      const d = event.data;
      return updated([grant(d.grantId), professional(d.professionalId), workflow(d.workflowId), organisation(d.organisationId)], d.participantId);
    }
    default: {
      const unknown: never = event;
      throw new Error(`No FHIR mapping for ${JSON.stringify((unknown as { type: string }).type)}`);
    }
  }
};

const changeAuditEvent = (event: Recorded<ChangeEvent>): AuditEvent => {
  const { action, participantId, objects } = changeOf(event);
  const { actor } = event.metadata;
  return {
    resourceType: 'AuditEvent',
    id: event.eventId,
    type: EVENT_TYPES.rest,
    subtype: [action === 'C' ? EVENT_TYPES.create : EVENT_TYPES.update, eventTypeCoding(event.type)],
    action,
    recorded: event.metadata.occurredAt,
    outcome: '0',
    agent: [actorAgent(actor, AGENT_TYPES.author), ...actorOrganisation(actor), serviceAgent],
    source,
    entity: [record(event), ...(participantId === null ? [] : [patient(participantId)]), ...objects],
  };
};

// ---- Authorization decision --------------------------------------------------------------
/**
 * BALP AuthZconsent: whether the asker may see the participant's results in the workflow.
 * Permit (outcome 0) or deny (outcome 4, minor failure: the request was answered 403), the
 * asker as the information recipient whose policy is the grant at its version, the
 * participant as patient, the grant as the consent entity.
 */
const decisionAuditEvent = (event: Recorded<ResultsAccessRequested>): AuditEvent => {
  const d = event.data;
  const { actor } = event.metadata;
  const granted = d.decision === 'granted';
  return {
    resourceType: 'AuditEvent',
    id: event.eventId,
    type: EVENT_TYPES.securityAlert,
    subtype: [EVENT_TYPES.authzConsent, eventTypeCoding(event.type)],
    action: 'E',
    recorded: event.metadata.occurredAt,
    outcome: granted ? '0' : '4',
    outcomeDesc: granted ? `permit: ${d.basis} until ${d.until}` : `deny: ${d.refusal}`,
    agent: [
      actorAgent(actor, AGENT_TYPES.informationRecipient, {
        ...(d.professionalId === null ? {} : { altId: d.professionalId }),
        ...(d.grantId === null ? {} : { policy: [grantPolicy(d.grantId, d.grantVersion)] }),
      }),
      ...actorOrganisation(actor),
      serviceAgent,
    ],
    source,
    entity: [
      record(event, [detail('decidedOnRevision', d.decidedOnRevision)]),
      patient(d.participantId),
      ...(d.grantId === null
        ? []
        : [{ ...entity(referenceTo('grant', d.grantId, 'Consent'), ENTITY_TYPES.consent, ENTITY_ROLES.domainResource), ...(d.grantVersion === null ? {} : { detail: [detail('version', d.grantVersion)] }) }]),
      workflow(d.workflowId),
      organisation(d.organisationId),
    ],
  };
};

// ---- Anything else -----------------------------------------------------------------------
/**
 * An event of no context's catalogue (the platform's idempotency bookkeeping, or a type newer
 * than this mapping): an application activity by its actor, from the envelope alone.
 */
const activityAuditEvent = (recorded: RecordedEvent): AuditEvent => ({
  resourceType: 'AuditEvent',
  id: recorded.eventId,
  type: EVENT_TYPES.applicationActivity,
  subtype: [eventTypeCoding(recorded.type)],
  action: 'E',
  recorded: recorded.metadata.occurredAt,
  outcome: '0',
  agent: [actorAgent(recorded.metadata.actor, AGENT_TYPES.author), ...actorOrganisation(recorded.metadata.actor), serviceAgent],
  source,
  entity: [record(recorded)],
});

/** The FHIR R4 AuditEvent of a recorded event. Throws MalformedEventError for an event its context's catalogue cannot read. */
export const fhirAuditEventOf = (recorded: RecordedEvent): AuditEvent => {
  const event = parse(recorded);
  if (event === null) return activityAuditEvent(recorded);
  return event.type === 'ResultsAccessRequested' ? decisionAuditEvent(event) : changeAuditEvent(event);
};
