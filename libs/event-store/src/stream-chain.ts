import { createHash, hash as oneShotHash } from 'node:crypto';
import { EventMetadata, NewEvent, RecordedEvent, canonicalJson } from '@access-ledger/core';

/**
 * Each stream's hash chain (tamper evidence at rest, docs/events.md): every adapter writes
 * `metadata.streamHash` when it appends, and `npm run audit:verify -- --store` recomputes it.
 *
 *   streamHash(r) = sha256_hex( streamHash(r - 1) + JCS({ eventId, type, streamId, revision, data, metadata }) )
 *
 * where `metadata` is the stored metadata without `streamHash`, JCS is RFC 8785 (canonicalJson)
 * and `+` joins the 64 lower-case hex characters of the previous hash to the canonical text
 * (UTF-8). The chain starts from 64 zeros: at revision 0, or at the first event of a stream
 * that has one (events stored before the chain existed carry none; see checkStreamChains).
 *
 * The global position is left out on purpose: the store assigns it when the append commits (in
 * EventStoreDB only then), and a stream copied to another store keeps its ids and revisions but
 * not its positions. Deleting an event shows as a hole in the revisions and a chain that no
 * longer follows; reordering shows the same way, since the revision is inside the hash.
 */
export const STREAM_CHAIN_START = '0'.repeat(64);

/** node:crypto's one-shot hash where the Node has it (20.12 on), else a Hash object: the same digest. */
const sha256Hex = (text: string): string => (typeof oneShotHash === 'function' ? oneShotHash('sha256', text, 'hex') : createHash('sha256').update(text, 'utf8').digest('hex'));

type Hashable = Pick<RecordedEvent, 'eventId' | 'type' | 'streamId' | 'revision' | 'data' | 'metadata'>;

const withoutStreamHash = (metadata: EventMetadata): Omit<EventMetadata, 'streamHash'> => {
  if (!('streamHash' in metadata)) return metadata;
  const { streamHash: _ignored, ...rest } = metadata;
  return rest;
};

/**
 * JCS({ eventId, type, streamId, revision, data, metadata }) put together from the canonical
 * forms of data and metadata: members in canonical order, strings as JSON.stringify writes
 * them, the revision a safe integer. Equal to canonicalJson of that object (the spec checks).
 */
const hashedText = (dataJson: string, eventId: string, metadataJson: string, revision: number, streamId: string, type: string): string =>
  `{"data":${dataJson},"eventId":${JSON.stringify(eventId)},"metadata":${metadataJson},"revision":${revision},"streamId":${JSON.stringify(streamId)},"type":${JSON.stringify(type)}}`;

/** The stream hash of an event as stored, given the hash of the event before it in its stream. */
export const streamHashOf = (previous: string, event: Hashable): string =>
  sha256Hex(previous + hashedText(canonicalJson(event.data), event.eventId, canonicalJson(withoutStreamHash(event.metadata)), event.revision, event.streamId, event.type));

/**
 * An event of an append made ready for its stream's chain: the canonical texts that do not
 * depend on where in the stream it lands, so that they can be made before the stream's head
 * is known (by the caller, off the writer: SqliteEventStore prepares on the calling thread).
 * Only strings, so that it crosses a thread boundary as text.
 */
export interface PreparedEvent {
  readonly eventId: string;
  readonly type: string;
  /** canonicalJson(data). */
  readonly dataJson: string;
  /**
   * The canonical members of the metadata without `streamHash` (each `"key":<canonical value>`,
   * in canonical order), joined by commas: those that sort before "streamHash", and those after,
   * so that the hashed text (`{before,after}`) and the stored one (`{before,"streamHash":…,after}`)
   * are each one concatenation.
   */
  readonly metadataBefore: string;
  readonly metadataAfter: string;
}

/** What chainedEvents does before it needs the stream's head: data's canonical text and the metadata's canonical members. A `streamHash` in the metadata is left out. */
export const preparedEvent = (event: NewEvent): PreparedEvent => {
  const metadata = event.metadata as unknown as Record<string, unknown>;
  let before = '';
  let after = '';
  for (const key of Object.keys(metadata).sort()) {
    const value = metadata[key];
    // Members whose value is undefined are left out, as JCS does; streamHash is the chain's own.
    if (value === undefined || key === 'streamHash') continue;
    const member = `${JSON.stringify(key)}:${canonicalJson(value)}`;
    if (key < 'streamHash') before = before ? `${before},${member}` : member;
    else after = after ? `${after},${member}` : member;
  }
  return { eventId: event.eventId, type: event.type, dataJson: canonicalJson(event.data), metadataBefore: before, metadataAfter: after };
};

/** An event of an append as it is to be stored: data and metadata (with its streamHash) as canonical JSON text. */
export interface ChainedEvent {
  readonly eventId: string;
  readonly type: string;
  readonly revision: number;
  readonly streamHash: string;
  /** canonicalJson(data): stored in canonical order, so readers parse it back in that order. */
  readonly dataJson: string;
  /** canonicalJson(metadata with streamHash). */
  readonly metadataJson: string;
}

/**
 * The events of one append as they are to be stored: each with its `metadata.streamHash`,
 * continuing from the stream's last event (revision `firstRevision - 1`, whose hash is
 * `previous`; undefined for a new stream or a last event stored before the chain). A
 * `streamHash` the caller put in the metadata is replaced.
 */
export const chainedEvents = (streamId: string, firstRevision: number, previous: string | undefined, events: readonly NewEvent[]): ChainedEvent[] =>
  chainPrepared(streamId, firstRevision, previous, events.map(preparedEvent));

/** chainedEvents of events already prepared (preparedEvent): per event one sha256 and the metadata's text put together around its hash. */
export const chainPrepared = (streamId: string, firstRevision: number, previous: string | undefined, events: readonly PreparedEvent[]): ChainedEvent[] => {
  let hash = previous ?? STREAM_CHAIN_START;
  return events.map(({ eventId, type, dataJson, metadataBefore: before, metadataAfter: after }, i) => {
    const revision = firstRevision + i;
    hash = sha256Hex(hash + hashedText(dataJson, eventId, `{${before}${before && after ? ',' : ''}${after}}`, revision, streamId, type));
    const metadataJson = `{${before}${before ? ',' : ''}"streamHash":"${hash}"${after ? ',' : ''}${after}}`;
    return { eventId, type, revision, streamHash: hash, dataJson, metadataJson };
  });
};

/** One place where a stream's chain does not hold, named by stream and revision. */
export interface StreamChainBreak {
  readonly streamId: string;
  readonly revision: number;
  readonly position: number | null;
  /** `missing`: revisions absent before this one (deleted); `edited`: the hash does not follow; `unhashed`: no hash after hashed events. */
  readonly kind: 'missing' | 'edited' | 'unhashed';
  readonly message: string;
}

export interface StreamChainReport {
  readonly events: number;
  readonly streams: number;
  /** Events stored before the chain existed (no hash, and no hashed event before them in their stream). */
  readonly unhashed: number;
  readonly breaks: number;
}

interface StreamState {
  revision: number;
  /** Hash of the last event seen, null while the stream has only events from before the chain. */
  hash: string | null;
  /** The last event was a break that left no hash to go on: the next hash is taken as it is. */
  resync: boolean;
}

/**
 * Checks every stream's chain over the log read in position order (any order in which each
 * stream's events come by increasing revision), reporting each break as it is found. Memory
 * grows with the number of streams (one entry each: the last revision and hash), not with the
 * number of events.
 *
 * Events stored before the chain existed (no `streamHash`) are accepted at the head of their
 * stream: the chain starts, from 64 zeros, at the stream's first hashed event. After a hashed
 * event every event must carry a hash. After a break the check resynchronises on the event's
 * own hash, so one edit or one deletion is reported once.
 *
 * What it cannot see: the loss of a stream's newest events (the chain of what is left is
 * intact) and a chain recomputed by whoever edited the store (the hash has no secret); a signed
 * export (whose lines carry each event's `streamHash`) is the anchor for both.
 */
export class StreamChainCheck {
  private readonly streams = new Map<string, StreamState>();
  private counts = { events: 0, unhashed: 0, breaks: 0 };

  check(event: RecordedEvent): StreamChainBreak[] {
    this.counts.events += 1;
    const found: StreamChainBreak[] = [];
    const at = (kind: StreamChainBreak['kind'], message: string) =>
      found.push({ streamId: event.streamId, revision: event.revision, position: event.position, kind, message: `${event.streamId}@${event.revision}: ${message}` });
    const state = this.streams.get(event.streamId);
    const expected = state ? state.revision + 1 : 0;
    const own = typeof event.metadata?.streamHash === 'string' ? event.metadata.streamHash : null;
    let resync = false;
    if (event.revision !== expected) {
      const missing = event.revision - expected === 1 ? `revision ${expected} is missing` : `revisions ${expected} to ${event.revision - 1} are missing`;
      at('missing', event.revision > expected ? `${missing} (deleted)` : `comes after revision ${expected - 1} (reordered or duplicated)`);
      resync = own === null;
    } else if (own === null) {
      if (state?.hash) {
        at('unhashed', 'has no streamHash, though earlier events of the stream have one (its hash was removed)');
        resync = true;
      } else this.counts.unhashed += 1;
    } else if (!state?.resync && own !== streamHashOf(state?.hash ?? STREAM_CHAIN_START, event)) {
      at('edited', 'streamHash does not follow from the event and the one before it (this event, or the one before it, was changed)');
    }
    this.streams.set(event.streamId, { revision: Math.max(event.revision, state?.revision ?? -1), hash: own ?? (resync ? null : state?.hash ?? null), resync });
    this.counts.breaks += found.length;
    return found;
  }

  report(): StreamChainReport {
    return { events: this.counts.events, streams: this.streams.size, unhashed: this.counts.unhashed, breaks: this.counts.breaks };
  }
}

/** Checks the chains of every stream in `events` (e.g. `store.readAll()`), calling `onBreak` for each break. */
export async function checkStreamChains(events: AsyncIterable<RecordedEvent>, onBreak: (found: StreamChainBreak) => void = () => undefined): Promise<StreamChainReport> {
  const check = new StreamChainCheck();
  for await (const event of events) check.check(event).forEach(onBreak);
  return check.report();
}
