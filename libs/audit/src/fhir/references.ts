import type { Reference } from 'fhir/r4';

/**
 * Our identifier systems. Nothing in this service is a FHIR server, so resources point at each
 * other and at this service's entities by logical reference (an identifier, with the FHIR type
 * where one fits), never by a literal `Resource/id` URL that nothing would resolve.
 */
export const FHIR_SYSTEMS = {
  /** A token's `sub`: whoever acted (metadata.actor.id), and participants (care access's participant ids are subs). */
  subject: 'urn:access-ledger:subject',
  /** A directory user id (professionals are directory users). */
  user: 'urn:access-ledger:user',
  organisation: 'urn:access-ledger:organisation',
  request: 'urn:access-ledger:request',
  workflow: 'urn:access-ledger:workflow',
  /** A care-access grant; also the id of its Consent resource. */
  grant: 'urn:access-ledger:grant',
  assignment: 'urn:access-ledger:assignment',
  /** A stream of the event store (`<category>-<id>`): the record an event was appended to. */
  stream: 'urn:access-ledger:stream',
  /** The code system of our event types (`UserAdded`, …), for AuditEvent.subtype. */
  eventType: 'urn:access-ledger:event-type',
  /** The roles an actor was authorised with (platform roles and permission levels). */
  role: 'urn:access-ledger:role',
  service: 'urn:access-ledger:service',
  /** RFC 3986 URIs: an event is `urn:uuid:<eventId>`. */
  uri: 'urn:ietf:rfc:3986',
} as const;

type System = Exclude<keyof typeof FHIR_SYSTEMS, 'eventType' | 'role' | 'uri'>;

export const referenceTo = (system: System, value: string, type?: string, display?: string): Reference => ({
  identifier: { system: FHIR_SYSTEMS[system], value },
  ...(type === undefined ? {} : { type }),
  ...(display === undefined ? {} : { display }),
});

/** This service: the observer of every AuditEvent, the destination of every request, the custodian of every record. */
export const THIS_SERVICE: Reference = referenceTo('service', 'access-ledger', 'Device', 'access-ledger');

/** A recorded event, by its id. */
export const eventReference = (eventId: string, display: string): Reference => ({ identifier: { system: FHIR_SYSTEMS.uri, value: `urn:uuid:${eventId}` }, display });

/**
 * The policy a results-access decision applied: the consent grant, at the version (the
 * participant stream's revision of the event that last changed it) that permitted the request,
 * e.g. `urn:access-ledger:grant:<grantId>:version:3`; without a version when the decision
 * names a grant that did not permit it. The Consent of the grant carries the same version as
 * `meta.versionId`.
 */
export const grantPolicy = (grantId: string, version: number | null): string => `${FHIR_SYSTEMS.grant}:${grantId}${version === null ? '' : `:version:${version}`}`;
