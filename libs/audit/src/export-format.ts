import { RecordedEvent, StoredEvent } from '@access-ledger/core';
import { fhirAuditEventOf } from './fhir';

/**
 * How the export (`GET /audit/export?format=<name>`) writes one event: a pluggable mapping
 * from a recorded event to the JSON object of its line. Everything else — which events are
 * selected, the hash chain, the manifest and its signature, `npm run audit:verify` — is the
 * same for every format.
 *
 * To add a format: write it beside this file (pure, like the rest of libs/audit), export it
 * from the index, and add it to EXPORT_FORMATS below. The endpoint then accepts its name
 * (the query is validated against this list), the manifest records it, and the verifier
 * checks its files without knowing it.
 */
export interface ExportFormat {
  /** The `format` query value, e.g. `events` or `fhir-auditevent`. */
  readonly name: string;
  /** One line for the API documentation. */
  readonly description: string;
  /**
   * The line's content for one selected event, or null to leave the event out of this format
   * (it is then not counted and not hashed). A non-empty JSON object (plain data, as JSON.parse
   * would give it back) without top-level members named `hash` or `manifest`: the export adds
   * `hash` to the line, and a `manifest` member marks the last line. A format whose readers
   * refuse unknown members (a FHIR resource, say) may wrap its resource, e.g. `{ resource }`.
   * Called once per selected event, in position order; it keeps no state, since one format
   * serves every export (exports may run at the same time).
   */
  toLine(recorded: RecordedEvent): Record<string, unknown> | null;
  /**
   * Optional, for speed: the canonical JSON text of `toLine(parseStored(stored))` (null when that
   * is null), put together from the event's stored text without parsing it. The writer calls it
   * only for an event whose `dataJson` and `metadataJson` it has shown to be their own canonical
   * text; anything else goes through `toLine`. It must give exactly canonicalJson of toLine's
   * object, since the hash covers that text (a spec compares the two).
   */
  readonly canonicalLineOfStored?: (stored: StoredEvent) => string | null;
}

/**
 * The default: every selected event exactly as stored, envelope and position included. Its
 * members are listed in canonical order (and the store keeps data and metadata in it), which
 * lets canonicalJson take its fast path.
 */
export const eventsFormat: ExportFormat = {
  name: 'events',
  description: 'Each event as stored: eventId, type, streamId, revision, position, data and metadata (with its streamHash).',
  toLine: (event) => ({
    data: event.data,
    eventId: event.eventId,
    metadata: event.metadata,
    position: event.position,
    revision: event.revision,
    streamId: event.streamId,
    type: event.type,
  }),
  // The same members in the same (canonical) order, data and metadata as their canonical text, the strings as JSON.stringify writes them.
  canonicalLineOfStored: (stored) =>
    `{"data":${stored.dataJson},"eventId":${JSON.stringify(stored.eventId)},"metadata":${stored.metadataJson},"position":${stored.position},"revision":${stored.revision},"streamId":${JSON.stringify(stored.streamId)},"type":${JSON.stringify(stored.type)}}`,
};

/**
 * For health-data authorities: each event as a FHIR R4 AuditEvent (IHE BALP patterns; see
 * fhir/audit-event.ts). The resource is wrapped as `{ resource }` so that its line can carry the
 * chain's `hash` and stay a valid resource: the same verifier checks the file, and
 * `jq -c .resource` (all but the manifest line) gives FHIR bulk-data NDJSON.
 */
export const fhirAuditEventFormat: ExportFormat = {
  name: 'fhir-auditevent',
  description: 'Each event as a FHIR R4 AuditEvent (IHE Basic Audit Log Patterns), wrapped as { resource } so the line can carry its hash.',
  toLine: (event) => ({ resource: fhirAuditEventOf(event) as unknown as Record<string, unknown> }),
};

/** Every format the export offers; the first is the default. Plug new formats in here. */
export const EXPORT_FORMATS: readonly ExportFormat[] = [eventsFormat, fhirAuditEventFormat];

export const DEFAULT_EXPORT_FORMAT = EXPORT_FORMATS[0].name;

export const exportFormatNamed = (name: string): ExportFormat | undefined => EXPORT_FORMATS.find((format) => format.name === name);
