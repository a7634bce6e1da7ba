import { MalformedEventError, RecordedEvent } from '@access-ledger/core';
import { participantStream } from '@access-ledger/care-access';
import { fhirSchemaErrors } from '../testing/fhir-schema';
import { ASSIGNMENT, CONTEXT_CATALOGUES, ContextEvent, GRANT, LEAD, ORG, PARTICIPANT, PRO, REQUEST, SAMPLES, WORKFLOW, anActor, recorded, recordedSamples } from '../testing/samples';
import { FhirAuditEvent, fhirAuditEventOf } from './audit-event';
import { FHIR_SYSTEMS, grantPolicy } from './references';

type Kind = keyof typeof FHIR_SYSTEMS;
/** Per event type: Create or Update (E: the decision), and the entity created or changed (after the record and the patient). */
type Expected = { action: 'C' | 'U' | 'E'; object: [Kind, string] | ((data: any) => [Kind, string]) };
const EXPECTED: Readonly<Record<ContextEvent['type'], Expected>> = {
  OrganisationRegistered: { action: 'C', object: ['organisation', ORG] },
  LeadAdministratorChangeAdmitted: { action: 'U', object: ['organisation', ORG] },
  UserAdded: { action: 'C', object: ['user', LEAD] },
  UserPermissionLevelChanged: { action: 'U', object: ['user', LEAD] },
  UserDesignationsChanged: { action: 'U', object: ['user', LEAD] },
  UserClinicianStatusChanged: { action: 'U', object: ['user', LEAD] },
  UserDeactivated: { action: 'U', object: ['user', LEAD] },
  UserReactivated: { action: 'U', object: ['user', LEAD] },
  UserAccountProvisioned: { action: 'U', object: ['user', LEAD] },
  UserAccountDisabled: { action: 'U', object: ['user', LEAD] },
  UserAccountProvisioningFailed: { action: 'U', object: ['user', LEAD] },
  EmailReserved: { action: 'C', object: ['user', LEAD] },
  RequestCreated: { action: 'C', object: ['request', REQUEST] },
  ApprovalRequested: { action: 'U', object: ['request', REQUEST] },
  RequestApproved: { action: 'U', object: ['request', REQUEST] },
  RequestRejected: { action: 'U', object: ['request', REQUEST] },
  RequestWithdrawn: { action: 'U', object: ['request', REQUEST] },
  AccountProvisioned: { action: 'U', object: ['request', REQUEST] },
  AccountProvisioningFailed: { action: 'U', object: ['request', REQUEST] },
  WorkflowCreated: { action: 'C', object: ['workflow', WORKFLOW] },
  WorkflowSettingsChanged: { action: 'U', object: ['workflow', WORKFLOW] },
  ProfessionalAddedToWorkflow: { action: 'U', object: ['workflow', WORKFLOW] },
  ParticipantEnrolled: { action: 'C', object: ['workflow', WORKFLOW] },
  ConsentGiven: { action: 'C', object: ['grant', GRANT] },
  // The assignment it answers (option 2), or the enrolment's prompt (option 1): the participant in the workflow.
  ConsentDeclined: { action: 'U', object: (d) => (d.assignmentId ? ['assignment', ASSIGNMENT] : ['workflow', WORKFLOW]) },
  ProfessionalAssigned: { action: 'C', object: ['assignment', ASSIGNMENT] },
  ConsentRequested: { action: 'U', object: ['assignment', ASSIGNMENT] },
  ConsentWithdrawn: { action: 'U', object: ['grant', GRANT] },
  AccessExpired: { action: 'U', object: ['grant', GRANT] },
  ResultsAccessRequested: { action: 'E', object: (d) => (d.grantId ? ['grant', GRANT] : ['workflow', WORKFLOW]) },
};

const identifierOf = (entity: NonNullable<FhirAuditEvent['entity']>[number]) => entity.what?.identifier;
const isPatient = (entity: NonNullable<FhirAuditEvent['entity']>[number]) => entity.role?.code === '1';
const detailOf = (resource: FhirAuditEvent, type: string) => resource.entity?.[0].detail?.find((d) => d.type === type)?.valueString;

describe('FHIR R4 AuditEvent of recorded events (BALP patterns)', () => {
  const samples = recordedSamples();

  beforeAll(() => {
    // Compiles the official schema once for the file.
    expect(fhirSchemaErrors({ resourceType: 'Basic', code: { text: 'warm-up' } })).toEqual([]);
  });

  it('has a sample of every event type of every context', () => {
    const sampled = new Set(samples.map((e) => e.type));
    for (const catalogue of CONTEXT_CATALOGUES) for (const type of catalogue.types) expect(sampled).toContain(type);
  });

  it.each(samples.map((event) => [`${event.type} (${event.position})`, event] as const))('%s gives a valid AuditEvent of its envelope', (_name, event) => {
    const resource = fhirAuditEventOf(event);
    expect(fhirSchemaErrors(resource)).toEqual([]);
    expect(resource).toMatchObject({
      resourceType: 'AuditEvent',
      id: event.eventId,
      recorded: event.metadata.occurredAt,
      source: { observer: { identifier: { system: FHIR_SYSTEMS.service, value: 'access-ledger' } } },
    });
    // The actor is the requesting agent; the organisation they acted for and this service are agents too.
    expect(resource.agent[0]).toMatchObject({ requestor: true, who: { identifier: { system: FHIR_SYSTEMS.subject, value: anActor.id }, display: anActor.email } });
    expect(resource.agent[0].role?.[0].coding).toEqual([{ system: FHIR_SYSTEMS.role, code: 'lead_administrator' }]);
    expect(resource.agent.map((a) => a.who?.identifier?.system)).toEqual([FHIR_SYSTEMS.subject, FHIR_SYSTEMS.organisation, FHIR_SYSTEMS.service]);
    // The record: the stream, at the event's revision and global position.
    expect(identifierOf(resource.entity![0])).toEqual({ system: FHIR_SYSTEMS.stream, value: event.streamId });
    expect([detailOf(resource, 'eventType'), detailOf(resource, 'revision'), detailOf(resource, 'position')]).toEqual([event.type, String(event.revision), String(event.position)]);
    expect(resource.subtype).toContainEqual({ system: FHIR_SYSTEMS.eventType, code: event.type, display: event.type });
  });

  it.each(samples.map((event) => [`${event.type} (${event.position})`, event] as const))('%s: Create or Update of the entity it is about, the participant as patient', (_name, event) => {
    const resource = fhirAuditEventOf(event);
    const expected = EXPECTED[event.type as ContextEvent['type']];
    expect(resource.action).toBe(expected.action);
    if (expected.action !== 'E') {
      expect(resource.type).toEqual({ system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest', display: 'RESTful Operation' });
      expect(resource.subtype![0]).toEqual({ system: 'http://hl7.org/fhir/restful-interaction', code: expected.action === 'C' ? 'create' : 'update', display: expected.action === 'C' ? 'create' : 'update' });
      expect(resource.outcome).toBe('0');
    }
    const patients = resource.entity!.filter(isPatient);
    const aboutAParticipant = event.streamId === participantStream(PARTICIPANT);
    expect(patients.map(identifierOf)).toEqual(aboutAParticipant ? [{ system: FHIR_SYSTEMS.subject, value: PARTICIPANT }] : []);
    const [kind, value] = typeof expected.object === 'function' ? expected.object(event.data) : expected.object;
    expect(identifierOf(resource.entity![aboutAParticipant ? 2 : 1])).toEqual({ system: FHIR_SYSTEMS[kind], value });
  });

  describe('a results-access request: an authorization decision (BALP AuthZconsent)', () => {
    const [granted, refusedWithGrant, refusedWithout] = SAMPLES.ResultsAccessRequested.map((data, i) =>
      fhirAuditEventOf(recorded('ResultsAccessRequested', data, { streamId: participantStream(PARTICIPANT), revision: 7 + i })),
    );

    it('is a security alert, an authorization decision using roles and consent, executed', () => {
      for (const resource of [granted, refusedWithGrant, refusedWithout]) {
        expect(fhirSchemaErrors(resource)).toEqual([]);
        expect(resource.type).toEqual({ system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110113', display: 'Security Alert' });
        expect(resource.subtype![0]).toEqual({ system: 'https://profiles.ihe.net/ITI/BALP/CodeSystem/AuthZsubType', code: 'AuthZ-Consent', display: 'Authorization Decision using Roles and Consent' });
        expect(resource.action).toBe('E');
        expect(resource.agent[0].type?.coding).toEqual([{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP', display: 'information recipient' }]);
      }
    });

    it('permits with the grant and its version as the policy, and the grant as the consent entity', () => {
      expect(granted.outcome).toBe('0');
      expect(granted.outcomeDesc).toBe('permit: prior_consent until 2026-06-01T09:00:00.000Z');
      expect(granted.agent[0]).toMatchObject({ altId: PRO, policy: [`urn:access-ledger:grant:${GRANT}:version:3`] });
      expect(grantPolicy(GRANT, 3)).toBe(`urn:access-ledger:grant:${GRANT}:version:3`);
      const consent = granted.entity!.find((e) => e.type?.code === 'Consent')!;
      expect(consent).toMatchObject({ what: { identifier: { system: FHIR_SYSTEMS.grant, value: GRANT }, type: 'Consent' }, detail: [{ type: 'version', valueString: '3' }] });
      expect(granted.entity!.find(isPatient)?.what?.identifier).toEqual({ system: FHIR_SYSTEMS.subject, value: PARTICIPANT });
      expect(detailOf(granted, 'decidedOnRevision')).toBe('5');
    });

    it('denies (minor failure: answered 403) with the refusal, naming the grant it concerned without a version', () => {
      expect(refusedWithGrant.outcome).toBe('4');
      expect(refusedWithGrant.outcomeDesc).toBe('deny: consent_withdrawn');
      expect(refusedWithGrant.agent[0].policy).toEqual([`urn:access-ledger:grant:${GRANT}`]);
      expect(refusedWithGrant.entity!.find((e) => e.type?.code === 'Consent')?.detail).toBeUndefined();
    });

    it('denies someone outside the directory without a policy, an altId or a consent entity', () => {
      expect(refusedWithout.outcome).toBe('4');
      expect(refusedWithout.outcomeDesc).toBe('deny: not_a_professional');
      expect(refusedWithout.agent[0].policy).toBeUndefined();
      expect(refusedWithout.agent[0].altId).toBeUndefined();
      expect(refusedWithout.entity!.some((e) => e.type?.code === 'Consent')).toBe(false);
      expect(refusedWithout.entity!.find(isPatient)).toBeDefined();
    });
  });

  it('reads an event stored at an older schema version through its upcaster (RequestApproved v1 has no decidedAs)', () => {
    const { decidedAs: _, ...v1 } = SAMPLES.RequestApproved[0];
    const resource = fhirAuditEventOf(recorded('RequestApproved', v1, { streamId: `request-${REQUEST}`, schemaVersion: 1 }));
    expect(fhirSchemaErrors(resource)).toEqual([]);
    expect(resource.action).toBe('U');
  });

  it('maps an event of no context (idempotency bookkeeping, a newer type) from its envelope alone, as an application activity', () => {
    const event = recorded('IdempotencyKeyClaimed', { fingerprint: 'abc', method: 'POST', path: '/x', claimedAt: '2026-05-01T09:00:00.000Z' }, { actor: { ...anActor, organisationId: null, roles: [] } });
    const resource = fhirAuditEventOf(event);
    expect(fhirSchemaErrors(resource)).toEqual([]);
    expect(resource).toMatchObject({ type: { code: '110100', display: 'Application Activity' }, subtype: [{ code: 'IdempotencyKeyClaimed' }], action: 'E', outcome: '0' });
    expect(resource.agent.map((a) => a.who?.identifier?.system)).toEqual([FHIR_SYSTEMS.subject, FHIR_SYSTEMS.service]);
    expect(resource.agent[0].role).toBeUndefined();
    expect(resource.entity).toHaveLength(1);
  });

  it('refuses an event its context cannot read, naming it (never maps a shape it does not know)', () => {
    const broken: RecordedEvent = recorded('ConsentGiven', { ...SAMPLES.ConsentGiven[0], grantId: 42 });
    expect(() => fhirAuditEventOf(broken)).toThrow(MalformedEventError);
  });

  it('is checked by a schema that refuses what FHIR R4 refuses (the check is not vacuous)', () => {
    const resource = fhirAuditEventOf(samples[0]);
    expect(fhirSchemaErrors({ ...resource, action: 'X' })).not.toEqual([]);
    expect(fhirSchemaErrors({ ...resource, id: 'not an id' })).not.toEqual([]);
    expect(fhirSchemaErrors({ ...resource, actor: resource.agent })).not.toEqual([]);
    expect(fhirSchemaErrors({ ...resource, recorded: '2026-05-01' })).not.toEqual([]);
  });
});
