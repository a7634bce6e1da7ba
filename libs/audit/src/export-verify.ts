import { canonicalJson } from '@access-ledger/core';
import { EXPORT_CHAIN_START, ExportManifest, SignedManifest, Sha256, TimeRange, manifestSigningText } from './export-chain';
import { eventsFormat } from './export-format';

export interface ExportVerifyOptions {
  readonly sha256: Sha256;
  /** Checks an Ed25519 signature (base64) over the text; without it the signature is not checked. */
  readonly verifySignature?: (text: string, signature: string) => boolean;
}

export type ExportVerdict =
  | { readonly ok: true; readonly count: number; readonly finalHash: string; readonly manifest: ExportManifest; readonly signature: 'valid' | 'not-checked' }
  | { readonly ok: false; /** 1-based line of the file where it first breaks. */ readonly line: number; readonly reason: string };

const HASH = /^[0-9a-f]{64}$/;
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

const MANIFEST_FIELDS: Record<keyof ExportManifest, 'string' | 'number' | 'string?' | 'number?'> = {
  version: 'number',
  format: 'string',
  organisationId: 'string?',
  from: 'string?',
  to: 'string?',
  throughPosition: 'number',
  canonicalization: 'string',
  hashAlgorithm: 'string',
  signatureAlgorithm: 'string',
  count: 'number',
  firstPosition: 'number?',
  lastPosition: 'number?',
  earliestOccurredAt: 'string?',
  latestOccurredAt: 'string?',
  initialHash: 'string',
  finalHash: 'string',
  generatedAt: 'string',
  publicKeySha256: 'string',
};

const malformedManifest = (manifest: unknown): string | null => {
  if (!isObject(manifest)) return 'manifest is not an object';
  for (const [field, kind] of Object.entries(MANIFEST_FIELDS)) {
    const value = manifest[field];
    const optional = kind.endsWith('?');
    if (optional && value === null) continue;
    if (typeof value !== kind.replace('?', '')) return `manifest.${field} is missing or not a ${kind.replace('?', '')}${optional ? ' or null' : ''}`;
  }
  return null;
};

/**
 * Verifies an export line by line, at constant memory: feed it each line (without its
 * newline) with `push`, then call `end`. The first broken line stops it and is named:
 * - a line whose hash does not follow (it was altered, or a line before it was removed,
 *   inserted or moved: the chain breaks at the first line that is not where it was);
 * - a line that is not a JSON object with a `hash`, a line after the manifest, a missing
 *   manifest (a cut file);
 * - a manifest that does not match the lines: count, initial and final hash; for the `events`
 *   format also the first and last position, the earliest and latest occurredAt, that every
 *   line is of the manifest's organisation and in its [from, to);
 * - with `verifySignature`, a signature that does not verify over the manifest's canonical form.
 */
export class ExportVerifier {
  private lineNumber = 0;
  private hash = EXPORT_CHAIN_START;
  private count = 0;
  private firstPosition: number | null = null;
  private lastPosition: number | null = null;
  private readonly times = new TimeRange();
  /** The first line's `data.organisationId`, and the first line whose one differs from it. */
  private firstOrganisation: { value: unknown } | null = null;
  private otherOrganisationLine: number | null = null;
  private verdict: ExportVerdict | null = null;

  constructor(private readonly options: ExportVerifyOptions) {}

  /** Checks the next line; returns the failure when this line breaks the file (and stays failed), else null. */
  push(text: string): ExportVerdict | null {
    if (this.verdict) return this.verdict.ok ? this.fail(this.lineNumber + 1, `comes after the manifest (line ${this.lineNumber}); the manifest must be the last line`) : this.verdict;
    this.lineNumber += 1;
    const line = this.lineNumber;
    if (text.trim() === '') return this.fail(line, 'is empty');
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return this.fail(line, 'is not JSON');
    }
    if (!isObject(value)) return this.fail(line, 'is not a JSON object');
    if ('manifest' in value) return this.manifest(line, value);
    const { hash, ...content } = value;
    if (typeof hash !== 'string' || !HASH.test(hash)) return this.fail(line, 'has no hash (64 lower-case hex characters)');
    const expected = this.options.sha256(this.hash + canonicalJson(content));
    if (hash !== expected) {
      return this.fail(line, 'hash does not match: this line was altered, or a line before it was removed, inserted or moved');
    }
    this.hash = hash;
    this.count += 1;
    this.track(line, content);
    return null;
  }

  /** The verdict once every line was pushed. */
  end(): ExportVerdict {
    if (this.verdict) return this.verdict;
    if (this.lineNumber === 0) return this.fail(1, 'the file is empty: no manifest');
    return this.fail(this.lineNumber + 1, `the file ends without a manifest (cut after line ${this.lineNumber})`);
  }

  /** What the events format lets the manifest be checked against. */
  private track(line: number, content: Record<string, unknown>): void {
    if (typeof content.position === 'number') {
      this.firstPosition ??= content.position;
      this.lastPosition = content.position;
    }
    const metadata = content.metadata;
    if (isObject(metadata) && typeof metadata.occurredAt === 'string') this.times.add(metadata.occurredAt);
    const organisation = isObject(content.data) ? content.data.organisationId : undefined;
    if (!this.firstOrganisation) this.firstOrganisation = { value: organisation };
    else if (this.otherOrganisationLine === null && organisation !== this.firstOrganisation.value) this.otherOrganisationLine = line;
  }

  private manifest(line: number, value: Record<string, unknown>): ExportVerdict | null {
    const problem = malformedManifest(value.manifest);
    if (problem) return this.fail(line, `is not a valid manifest: ${problem}`);
    if (typeof value.signature !== 'string') return this.fail(line, 'is not a valid manifest: signature is missing');
    const { manifest, signature } = value as unknown as SignedManifest;
    const mismatch = this.mismatch(manifest);
    if (mismatch) return this.fail(line, `manifest does not match the lines: ${mismatch}`);
    let verified: 'valid' | 'not-checked' = 'not-checked';
    if (this.options.verifySignature) {
      if (!this.options.verifySignature(manifestSigningText(manifest), signature)) {
        return this.fail(line, 'manifest signature does not verify with the given public key: the manifest was changed, or signed by another key');
      }
      verified = 'valid';
    }
    this.verdict = { ok: true, count: this.count, finalHash: this.hash, manifest, signature: verified };
    return null;
  }

  private mismatch(manifest: ExportManifest): string | null {
    if (manifest.initialHash !== EXPORT_CHAIN_START) return `initialHash is ${manifest.initialHash}, not 64 zeros`;
    if (manifest.count !== this.count) return `count is ${manifest.count}, the file has ${this.count} lines before it`;
    if (manifest.finalHash !== this.hash) return `finalHash is ${manifest.finalHash}, the last line's hash is ${this.hash}`;
    if (manifest.format !== eventsFormat.name) return null;
    if (manifest.firstPosition !== this.firstPosition || manifest.lastPosition !== this.lastPosition) {
      return `positions ${manifest.firstPosition}–${manifest.lastPosition}, the lines ${this.firstPosition}–${this.lastPosition}`;
    }
    if (manifest.earliestOccurredAt !== this.times.earliest || manifest.latestOccurredAt !== this.times.latest) {
      return `occurredAt ${manifest.earliestOccurredAt}–${manifest.latestOccurredAt}, the lines ${this.times.earliest}–${this.times.latest}`;
    }
    if (manifest.from !== null && this.times.earliest !== null && Date.parse(this.times.earliest) < Date.parse(manifest.from)) return `a line occurred at ${this.times.earliest}, before from ${manifest.from}`;
    if (manifest.to !== null && this.times.latest !== null && Date.parse(this.times.latest) >= Date.parse(manifest.to)) return `a line occurred at ${this.times.latest}, not before to ${manifest.to}`;
    if (manifest.organisationId !== null && this.count > 0) {
      if (this.firstOrganisation?.value !== manifest.organisationId) return `line 1 is not of organisation ${manifest.organisationId}`;
      if (this.otherOrganisationLine !== null) return `line ${this.otherOrganisationLine} is not of organisation ${manifest.organisationId}`;
    }
    return null;
  }

  private fail(line: number, reason: string): ExportVerdict {
    this.verdict = { ok: false, line, reason: `line ${line}: ${reason}` };
    return this.verdict;
  }
}

/** Verifies a whole export given as lines (without their newlines), e.g. from node:readline. */
export async function verifyExport(lines: Iterable<string> | AsyncIterable<string>, options: ExportVerifyOptions): Promise<ExportVerdict> {
  const verifier = new ExportVerifier(options);
  for await (const text of lines) {
    const failed = verifier.push(text);
    if (failed && !failed.ok) return failed;
  }
  return verifier.end();
}
