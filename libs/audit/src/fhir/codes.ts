import type { CodeableConcept, Coding } from 'fhir/r4';

/**
 * The terminology the FHIR resources use: HL7, DICOM and IHE BALP codes, each with its system
 * and display as those code systems define them. Nothing here is ours; our own identifier
 * systems are in references.ts.
 */
const coding = (system: string, code: string, display: string): Coding => ({ system, code, display });
export const concept = (...codings: Coding[]): CodeableConcept => ({ coding: codings });

const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
const AUDIT_EVENT_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-event-type';
const RESTFUL_INTERACTION = 'http://hl7.org/fhir/restful-interaction';
const BALP_AUTHZ_SUBTYPE = 'https://profiles.ihe.net/ITI/BALP/CodeSystem/AuthZsubType';
const PARTICIPATION_TYPE = 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType';
const ROLE_CLASS = 'http://terminology.hl7.org/CodeSystem/v3-RoleClass';
const SECURITY_SOURCE_TYPE = 'http://terminology.hl7.org/CodeSystem/security-source-type';
const AUDIT_ENTITY_TYPE = 'http://terminology.hl7.org/CodeSystem/audit-entity-type';
const OBJECT_ROLE = 'http://terminology.hl7.org/CodeSystem/object-role';
const RESOURCE_TYPES = 'http://hl7.org/fhir/resource-types';

/** AuditEvent.type and .subtype. */
export const EVENT_TYPES = {
  /** BALP Create / Update: the RESTful pattern. */
  rest: coding(AUDIT_EVENT_TYPE, 'rest', 'RESTful Operation'),
  create: coding(RESTFUL_INTERACTION, 'create', 'create'),
  update: coding(RESTFUL_INTERACTION, 'update', 'update'),
  /** BALP AuthZconsent: an authorization decision is a security alert… */
  securityAlert: coding(DCM, '110113', 'Security Alert'),
  /** …decided on roles and a consent. */
  authzConsent: coding(BALP_AUTHZ_SUBTYPE, 'AuthZ-Consent', 'Authorization Decision using Roles and Consent'),
  /** Anything recorded that is neither a change of a context's entity nor a decision. */
  applicationActivity: coding(DCM, '110100', 'Application Activity'),
} as const;

/** AuditEvent.agent.type. */
export const AGENT_TYPES = {
  author: concept(coding(PARTICIPATION_TYPE, 'AUT', 'author (originator)')),
  informationRecipient: concept(coding(PARTICIPATION_TYPE, 'IRCP', 'information recipient')),
  healthcareProvider: concept(coding(ROLE_CLASS, 'PROV', 'healthcare provider')),
  /** The service the request was sent to (DICOM's pattern: the client is the source, the server the destination). */
  destination: concept(coding(DCM, '110152', 'Destination Role ID')),
} as const;

export const SOURCE_TYPES = { applicationServer: coding(SECURITY_SOURCE_TYPE, '4', 'Application Server') } as const;

/** AuditEvent.entity.type. */
export const ENTITY_TYPES = {
  person: coding(AUDIT_ENTITY_TYPE, '1', 'Person'),
  systemObject: coding(AUDIT_ENTITY_TYPE, '2', 'System Object'),
  organization: coding(AUDIT_ENTITY_TYPE, '3', 'Organization'),
  consent: coding(RESOURCE_TYPES, 'Consent', 'Consent'),
} as const;

/** AuditEvent.entity.role. */
export const ENTITY_ROLES = {
  patient: coding(OBJECT_ROLE, '1', 'Patient'),
  domainResource: coding(OBJECT_ROLE, '4', 'Domain Resource'),
  securityUser: coding(OBJECT_ROLE, '11', 'Security User Entity'),
  practitioner: coding(OBJECT_ROLE, '15', 'Practitioner'),
} as const;

/** Consent.scope, .category, .policyRule, provision action and actor role. */
export const CONSENT_CODES = {
  privacy: concept(coding('http://terminology.hl7.org/CodeSystem/consentscope', 'patient-privacy', 'Privacy Consent')),
  patientConsent: concept(coding('http://loinc.org', '59284-0', 'Patient Consent')),
  optIn: concept(coding('http://terminology.hl7.org/CodeSystem/v3-ActCode', 'OPTIN', 'opt-in')),
  access: concept(coding('http://terminology.hl7.org/CodeSystem/consentaction', 'access', 'Access')),
  informationRecipient: concept(coding(PARTICIPATION_TYPE, 'IRCP', 'information recipient')),
} as const;
