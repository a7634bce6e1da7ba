/**
 * The event envelope shared by every context. Personal data (names, e-mail addresses,
 * free-text reasons) lives in `data` only, never in stream names or metadata, so that
 * a later crypto-shredding step can encrypt `data` per data subject without touching
 * the envelope.
 */
export interface Actor {
  /** The token's `sub`. */
  readonly id: string;
  readonly email: string;
  /** The organisation the caller acted for, when the call is organisation-scoped. */
  readonly organisationId?: string | null;
  /** Roles as the caller was authorised for this call (platform roles and/or permission level). */
  readonly roles: readonly string[];
}

export interface EventMetadata {
  readonly occurredAt: string;
  readonly actor: Actor;
  readonly correlationId: string;
  readonly causationId: string;
  readonly commandId: string;
  readonly schemaVersion: number;
  /**
   * The stream's hash chain (docs/events.md, envelope): sha256 of the previous event's
   * `streamHash` and the RFC 8785 canonical form of this event as stored (eventId, type,
   * streamId, revision, data, metadata without this field). Written by the event store adapter
   * at append time, whatever the caller put here; absent on events stored before the chain.
   */
  readonly streamHash?: string;
}

/** What a decider produces: a fact, not yet stored. */
export interface DomainEvent<Type extends string = string, Data = Record<string, unknown>> {
  readonly type: Type;
  readonly data: Data;
}

/** An event ready to append: the store keeps `eventId` unique, which makes retries idempotent. */
export interface NewEvent<Type extends string = string, Data = unknown> {
  readonly eventId: string;
  readonly type: Type;
  readonly data: Data;
  readonly metadata: EventMetadata;
}

/** An event as stored: its place in its stream (`revision`) and in the global log (`position`). */
export interface RecordedEvent<Type extends string = string, Data = any> {
  readonly eventId: string;
  readonly type: Type;
  readonly streamId: string;
  readonly revision: number;
  readonly position: number;
  readonly data: Data;
  readonly metadata: EventMetadata;
}

/**
 * An event as the store holds it, its data and metadata as their stored JSON text, not parsed:
 * for readers that pass the text on (the audit export hashes and writes the canonical text the
 * store keeps). `parseStored` gives the RecordedEvent.
 */
export interface StoredEvent {
  readonly eventId: string;
  readonly type: string;
  readonly streamId: string;
  readonly revision: number;
  readonly position: number;
  /** The JSON text of `data`, as stored (the adapters write canonicalJson(data)). */
  readonly dataJson: string;
  /** The JSON text of `metadata`, as stored (canonicalJson, with its streamHash). */
  readonly metadataJson: string;
}

/** The event a stored one is: its data and metadata parsed. */
export const parseStored = (stored: StoredEvent): RecordedEvent => ({
  eventId: stored.eventId,
  type: stored.type,
  streamId: stored.streamId,
  revision: stored.revision,
  position: stored.position,
  data: JSON.parse(stored.dataJson),
  metadata: JSON.parse(stored.metadataJson),
});

/** Context a command carries from the edge: who, when, and which request it belongs to. */
export interface CommandContext {
  readonly commandId: string;
  readonly actor: Actor;
  readonly now: string;
  readonly correlationId: string;
  readonly causationId: string;
}
