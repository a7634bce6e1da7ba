import { RecordedEvent, StoredEvent, canonicalJson, canonicalTextMember, parseStored } from '@access-ledger/core';
import { ExportFormat } from './export-format';

/**
 * The signed, hash-chained export (docs/api.md, "Audit export"). Pure: the hash function is
 * given (node:crypto's sha256 in the service and the CLI), the clock's reading too.
 *
 * File: NDJSON, one JSON object a line, UTF-8, each line ended by `\n`.
 * - Every line but the last is one event, in position order: the object its format gives
 *   (export-format.ts) plus a member `hash` (written first, for the eye):
 *     hash(n) = sha256_hex( hash(n - 1) + JCS(line n without its `hash` member) )
 *   with JCS the RFC 8785 canonical form, `+` the concatenation of the 64 lower-case hex
 *   characters with the canonical text (UTF-8), and hash(0) = EXPORT_CHAIN_START, 64 zeros.
 * - The last line is `{ "manifest": {…}, "signature": "<base64>" }`: the signature is Ed25519
 *   over JCS(manifest) by the service's audit key (`GET /audit/public-key`).
 * Altering, removing, inserting or moving a line breaks the chain at that line; changing the
 * manifest (its count, final hash, parameters) breaks the signature.
 */
export const EXPORT_CHAIN_START = '0'.repeat(64);

/** Lower-case hex sha256 of the text's UTF-8 bytes. */
export type Sha256 = (text: string) => string;

/** What an export selects: events whose `data.organisationId` is the organisation (every event when null), recorded in [from, to). */
export interface ExportSelection {
  readonly organisationId: string | null;
  /** ISO 8601 instant, inclusive, compared with `metadata.occurredAt`; null: from the start. */
  readonly from: string | null;
  /** ISO 8601 instant, exclusive; null: up to the end. */
  readonly to: string | null;
}

export interface ExportParameters extends ExportSelection {
  readonly format: string;
  /** The log's head when the export began: later events are not considered, so the export is reproducible. */
  readonly throughPosition: number;
}

export interface ExportManifest extends ExportParameters {
  readonly version: 1;
  readonly canonicalization: 'RFC 8785';
  readonly hashAlgorithm: 'sha256';
  readonly signatureAlgorithm: 'Ed25519';
  /** Event lines in the file. */
  readonly count: number;
  readonly firstPosition: number | null;
  readonly lastPosition: number | null;
  /** Earliest and latest `metadata.occurredAt` of the lines (positions and times need not run in step). */
  readonly earliestOccurredAt: string | null;
  readonly latestOccurredAt: string | null;
  readonly initialHash: string;
  /** The last line's hash (initialHash when there is none). */
  readonly finalHash: string;
  readonly generatedAt: string;
  /** sha256 (hex) of the signing key's public key in DER (SPKI): which key to verify with. */
  readonly publicKeySha256: string;
}

export interface SignedManifest {
  readonly manifest: ExportManifest;
  /** Ed25519 over canonicalJson(manifest), base64. */
  readonly signature: string;
}

const instant = (iso: string | null): number | null => (iso === null ? null : Date.parse(iso));

/** Whether an export with this selection includes an event with this `data.organisationId` and `metadata.occurredAt`. */
const selectsBy = (selection: ExportSelection): ((organisationId: unknown, occurredAt: string) => boolean) => {
  const from = instant(selection.from);
  const to = instant(selection.to);
  const wanted = selection.organisationId;
  return (organisationId, occurredAt) => {
    if (wanted !== null && organisationId !== wanted) return false;
    if (from === null && to === null) return true;
    const at = Date.parse(occurredAt);
    return (from === null || at >= from) && (to === null || at < to);
  };
};

/** Whether an export with this selection includes the event. */
export const exportSelects = (selection: ExportSelection): ((event: RecordedEvent) => boolean) => {
  const selects = selectsBy(selection);
  return (event) => selects((event.data as { organisationId?: unknown } | null)?.organisationId, event.metadata.occurredAt);
};

/** Keeps the earliest and latest of ISO instants (as given). */
export class TimeRange {
  earliest: string | null = null;
  latest: string | null = null;
  private earliestAt = Infinity;
  private latestAt = -Infinity;

  add(iso: string): void {
    const at = Date.parse(iso);
    if (at < this.earliestAt) [this.earliestAt, this.earliest] = [at, iso];
    if (at > this.latestAt) [this.latestAt, this.latest] = [at, iso];
  }
}

/** The JSON of one line: `hash` first, then the canonical form of the content (which is an object with other members). */
export const chainedLine = (hash: string, canonicalContent: string): string => `{"hash":"${hash}",${canonicalContent.slice(1)}\n`;

/** A selected event's line before the chain: its canonical content (without `hash`), and what the manifest counts of it. */
export interface CanonicalLine {
  readonly canonical: string;
  readonly position: number;
  readonly occurredAt: string;
}

/**
 * Which events an export selects and the canonical text of their lines, without the chain: what
 * can be done for many events at once, apart from the running hash (the service does it in a
 * worker thread for a long export, AuditExport). Keeps no state between events.
 */
export class ExportLines {
  private readonly selects: (organisationId: unknown, occurredAt: string) => boolean;
  private readonly selectsEvent: (event: RecordedEvent) => boolean;

  constructor(
    private readonly format: ExportFormat,
    selection: ExportSelection,
  ) {
    this.selects = selectsBy(selection);
    this.selectsEvent = exportSelects(selection);
  }

  /** The line's canonical content for a selected event, or null when the format leaves the event out. */
  of(event: RecordedEvent): CanonicalLine | null {
    const content = this.format.toLine(event);
    if (content === null) return null;
    if ('hash' in content || 'manifest' in content) throw new Error(`Export format ${this.format.name}: a line may not have a top-level hash or manifest member`);
    const canonical = canonicalJson(content);
    if (canonical === '{}' || canonical[0] !== '{') throw new Error(`Export format ${this.format.name}: a line must be a non-empty JSON object`);
    return { canonical, position: event.position, occurredAt: event.metadata.occurredAt };
  }

  /**
   * The same for an event read as stored text (`readAllStored`), or null when the selection or
   * the format leaves it out: what `of(parseStored(stored))` gives for a selected event.
   * When the stored data and metadata are shown to be their own canonical text
   * (canonicalTextMember, which also gives `occurredAt` and `organisationId` for the selection)
   * and the format can put its line together from them (`canonicalLineOfStored`), nothing is
   * parsed or serialised again; otherwise (events stored before the store wrote canonical text,
   * text edited in the store, formats that need the event) the event is parsed and takes `of`.
   */
  ofStored(stored: StoredEvent): CanonicalLine | null {
    const fromStored = this.format.canonicalLineOfStored;
    if (fromStored) {
      const occurredAt = canonicalTextMember(stored.metadataJson, 'occurredAt');
      const organisationId = typeof occurredAt === 'string' ? canonicalTextMember(stored.dataJson, 'organisationId') : undefined;
      if (typeof occurredAt === 'string' && organisationId !== undefined) {
        if (!this.selects(organisationId, occurredAt)) return null;
        const canonical = fromStored(stored);
        return canonical === null ? null : { canonical, position: stored.position, occurredAt };
      }
    }
    const event = parseStored(stored);
    return this.selectsEvent(event) ? this.of(event) : null;
  }
}

/**
 * Writes an export's lines, one selected event at a time, and then its manifest. Holds only
 * the running hash and the manifest's counters: constant memory whatever the length.
 */
export class ExportWriter {
  private hash = EXPORT_CHAIN_START;
  private count = 0;
  private firstPosition: number | null = null;
  private lastPosition: number | null = null;
  private readonly times = new TimeRange();
  private readonly lines: ExportLines;

  constructor(
    private readonly sha256: Sha256,
    format: ExportFormat,
    private readonly parameters: ExportParameters,
  ) {
    this.lines = new ExportLines(format, parameters);
  }

  /** The line (with its newline) for a selected event, or null when the format leaves the event out. */
  line(event: RecordedEvent): string | null {
    const line = this.lines.of(event);
    return line === null ? null : this.chained(line.canonical, line.position, line.occurredAt);
  }

  /** The line for an event read as stored text, or null when the selection or the format leaves it out (ExportLines.ofStored). */
  storedLine(stored: StoredEvent): string | null {
    const line = this.lines.ofStored(stored);
    return line === null ? null : this.chained(line.canonical, line.position, line.occurredAt);
  }

  /**
   * The next line of the file (with its newline) for a line's canonical content that ExportLines
   * gave for this export's selection and format (here or in another thread), in position order.
   */
  chained(canonical: string, position: number, occurredAt: string): string {
    this.hash = this.sha256(this.hash + canonical);
    this.count += 1;
    this.firstPosition ??= position;
    this.lastPosition = position;
    this.times.add(occurredAt);
    return chainedLine(this.hash, canonical);
  }

  manifest(generatedAt: string, publicKeySha256: string): ExportManifest {
    const { organisationId, from, to, format, throughPosition } = this.parameters;
    return {
      version: 1,
      format,
      organisationId,
      from,
      to,
      throughPosition,
      canonicalization: 'RFC 8785',
      hashAlgorithm: 'sha256',
      signatureAlgorithm: 'Ed25519',
      count: this.count,
      firstPosition: this.firstPosition,
      lastPosition: this.lastPosition,
      earliestOccurredAt: this.times.earliest,
      latestOccurredAt: this.times.latest,
      initialHash: EXPORT_CHAIN_START,
      finalHash: this.hash,
      generatedAt,
      publicKeySha256,
    };
  }
}

/** The text an export's signature covers. */
export const manifestSigningText = (manifest: ExportManifest): string => canonicalJson(manifest);

/** The last line of an export (with its newline). */
export const manifestLine = (signed: SignedManifest): string => `${canonicalJson(signed)}\n`;
