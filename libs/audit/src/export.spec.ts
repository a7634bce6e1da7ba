import { createHash, generateKeyPairSync, sign, verify } from 'node:crypto';
import fc from 'fast-check';
import { RecordedEvent, StoredEvent, canonicalJson } from '@access-ledger/core';
import { EXPORT_CHAIN_START, ExportParameters, ExportWriter, exportSelects, manifestLine, manifestSigningText } from './export-chain';
import { ExportFormat, eventsFormat } from './export-format';
import { ExportVerdict, verifyExport } from './export-verify';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const keys = generateKeyPairSync('ed25519');
const otherKeys = generateKeyPairSync('ed25519');
const signWith = (key = keys.privateKey) => (text: string) => sign(null, Buffer.from(text), key).toString('base64');
const verifySignature = (text: string, signature: string) => verify(null, Buffer.from(text), keys.publicKey, Buffer.from(signature, 'base64'));

const ORG = 'org-1';
const event = (position: number, data: Record<string, unknown>, occurredAt: string, type = 'Thing'): RecordedEvent => ({
  eventId: `e${position}`,
  type,
  streamId: `thing-${position % 3}`,
  revision: Math.floor(position / 3),
  position,
  data,
  metadata: { occurredAt, actor: { id: 'u', email: 'u@example.org', roles: [] }, correlationId: 'c', causationId: 'c', commandId: `k${position}`, schemaVersion: 1, streamHash: 'a'.repeat(64) },
});

const log: RecordedEvent[] = [
  event(1, { organisationId: ORG, name: 'Zoë' }, '2026-01-01T10:00:00.000Z'),
  event(2, { organisationId: 'org-2' }, '2026-01-01T10:00:01.000Z'),
  event(3, { organisationId: ORG, n: 1.5 }, '2026-01-01T10:00:02.000Z'),
  event(4, {}, '2026-01-01T10:00:03.000Z', 'IdempotencyKeyClaimed'),
  event(5, { organisationId: ORG, list: [1, null, 'x'] }, '2026-01-01T10:00:04.000Z'),
  event(6, { organisationId: ORG }, '2026-01-01T09:59:59.000Z'),
  event(7, { organisationId: ORG }, '2026-01-01T10:00:05.000Z', 'AuditRecordRead'),
];

/** An export as the service writes it: selected lines, then the signed manifest. */
const exportOf = (events: readonly RecordedEvent[], selection: Partial<ExportParameters> = {}, format: ExportFormat = eventsFormat, signer = signWith()): string[] => {
  const parameters: ExportParameters = { organisationId: ORG, from: null, to: null, format: format.name, throughPosition: 7, ...selection };
  const writer = new ExportWriter(sha256, format, parameters);
  const selects = exportSelects(parameters);
  const lines = events.filter(selects).flatMap((e) => writer.line(e) ?? []);
  const manifest = writer.manifest('2026-02-01T00:00:00.000Z', 'f'.repeat(64));
  return [...lines, manifestLine({ manifest, signature: signer(manifestSigningText(manifest)) })].map((line) => line.replace(/\n$/, ''));
};

const verified = (lines: readonly string[], withKey = true): Promise<ExportVerdict> => verifyExport(lines, { sha256, verifySignature: withKey ? verifySignature : undefined });
const failure = async (lines: readonly string[], withKey = true) => {
  const verdict = await verified(lines, withKey);
  if (verdict.ok) throw new Error('expected the file to fail verification');
  return { line: verdict.line, reason: verdict.reason };
};

describe('audit export: selection', () => {
  it('takes the organisation’s events (data.organisationId), in position order; every event without one', () => {
    expect(log.filter(exportSelects({ organisationId: ORG, from: null, to: null })).map((e) => e.position)).toEqual([1, 3, 5, 6, 7]);
    expect(log.filter(exportSelects({ organisationId: null, from: null, to: null })).map((e) => e.position)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('takes [from, to) of metadata.occurredAt, as instants, whatever the position', () => {
    const selection = { organisationId: ORG, from: '2026-01-01T11:00:00+01:00', to: '2026-01-01T10:00:04.000Z' };
    expect(log.filter(exportSelects(selection)).map((e) => e.position)).toEqual([1, 3]);
    expect(log.filter(exportSelects({ ...selection, from: null })).map((e) => e.position)).toEqual([1, 3, 6]);
  });
});

describe('audit export: lines and manifest', () => {
  it('chains each line from 64 zeros: hash = sha256(previous hash + JCS(line without hash))', () => {
    const lines = exportOf(log);
    expect(lines).toHaveLength(6);
    const first = JSON.parse(lines[0]);
    expect(Object.keys(first)[0]).toBe('hash');
    const { hash, ...content } = first;
    expect(content).toEqual(eventsFormat.toLine(log[0]));
    expect(hash).toBe(sha256(EXPORT_CHAIN_START + canonicalJson(content)));
    const { hash: second, ...secondContent } = JSON.parse(lines[1]);
    expect(second).toBe(sha256(hash + canonicalJson(secondContent)));
    const { manifest, signature } = JSON.parse(lines[5]);
    expect(manifest).toMatchObject({
      format: 'events', organisationId: ORG, from: null, to: null, throughPosition: 7, count: 5, firstPosition: 1, lastPosition: 7,
      earliestOccurredAt: '2026-01-01T09:59:59.000Z', latestOccurredAt: '2026-01-01T10:00:05.000Z', initialHash: EXPORT_CHAIN_START,
      finalHash: JSON.parse(lines[4]).hash,
    });
    expect(verify(null, Buffer.from(canonicalJson(manifest)), keys.publicKey, Buffer.from(signature, 'base64'))).toBe(true);
  });

  it('ends an export of nothing with a manifest of count 0 whose final hash is the initial one', async () => {
    const lines = exportOf(log, { organisationId: 'nobody' });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]).manifest).toMatchObject({ count: 0, firstPosition: null, finalHash: EXPORT_CHAIN_START });
    expect(await verified(lines)).toMatchObject({ ok: true, count: 0 });
  });
});

/** An export written from events read as stored text (what the service does: readAllStored, storedLine). */
const storedExportOf = (stored: readonly StoredEvent[], selection: Partial<ExportParameters> = {}, format: ExportFormat = eventsFormat): string[] => {
  const parameters: ExportParameters = { organisationId: ORG, from: null, to: null, format: format.name, throughPosition: 7, ...selection };
  const writer = new ExportWriter(sha256, format, parameters);
  const lines = stored.flatMap((e) => writer.storedLine(e) ?? []);
  const manifest = writer.manifest('2026-02-01T00:00:00.000Z', 'f'.repeat(64));
  return [...lines, manifestLine({ manifest, signature: signWith()(manifestSigningText(manifest)) })].map((line) => line.replace(/\n$/, ''));
};
/** An event as the store holds it: data and metadata as canonical text (as the adapters write them), or as some other text of the same JSON. */
const storedAs = (event: RecordedEvent, text: (value: unknown) => string = canonicalJson): StoredEvent => ({
  eventId: event.eventId, type: event.type, streamId: event.streamId, revision: event.revision, position: event.position, dataJson: text(event.data), metadataJson: text(event.metadata),
});
const SELECTIONS: Partial<ExportParameters>[] = [{}, { organisationId: null }, { from: '2026-01-01T10:00:01.000Z', to: '2026-01-01T10:00:04.000Z' }, { organisationId: 'nobody' }];

describe('audit export: lines from the stored text', () => {
  it('gives the same lines and manifest from the store’s canonical text as from the parsed events, without parsing them', () => {
    // toLine is never called: every line is put together from the stored text.
    const fromTextOnly: ExportFormat = { ...eventsFormat, toLine: () => { throw new Error('parsed'); } };
    for (const selection of SELECTIONS) {
      expect(storedExportOf(log.map((e) => storedAs(e)), selection, fromTextOnly)).toEqual(exportOf(log, selection));
    }
  });

  it('parses where the stored text is not its canonical form (stored before the store kept it, or edited), with the same lines', async () => {
    const reordered = (value: unknown): string => JSON.stringify(value, value && typeof value === 'object' ? Object.keys(value as object).reverse().concat(['id', 'email', 'roles']) : undefined);
    const texts = [(value: unknown) => JSON.stringify(value, null, 1), reordered, (value: unknown) => canonicalJson(value).replace('"u@example.org"', '"u@example\\u002eorg"')];
    for (const text of texts) {
      for (const selection of SELECTIONS) {
        const lines = storedExportOf(log.map((e, i) => (i % 2 === 0 ? storedAs(e, text) : storedAs(e))), selection);
        expect(lines).toEqual(exportOf(log, selection));
      }
    }
    expect(await verified(storedExportOf(log.map((e) => storedAs(e, texts[0]))))).toMatchObject({ ok: true, count: 5 });
  });

  it('agrees with the parsed events on arbitrary data, times and selections, stored canonical or not', () => {
    const organisation = fc.oneof(fc.constant(ORG), fc.constant('org-2'), fc.constant(null), fc.integer(), fc.constant(undefined), fc.string());
    const instant = fc.integer({ min: 0, max: 5 }).map((s) => `2026-01-01T10:00:0${s}.000Z`);
    const anEvent = fc.record({ data: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }), organisationId: organisation, occurredAt: instant, canonical: fc.boolean(), indent: fc.constantFrom(0, 2) });
    fc.assert(
      fc.property(fc.array(anEvent, { maxLength: 12 }), fc.constantFrom(...SELECTIONS), (drawn, selection) => {
        const events = drawn.map((d, i) => {
          const data = d.organisationId === undefined ? d.data : { ...d.data, organisationId: d.organisationId };
          return { recorded: event(i + 1, data as Record<string, unknown>, d.occurredAt), canonical: d.canonical, indent: d.indent };
        });
        const stored = events.map(({ recorded, canonical, indent }) => storedAs(recorded, canonical ? canonicalJson : (value) => JSON.stringify(value, null, indent)));
        // The parsed event of a stored text, as readAll gives it (JSON.parse of what JSON.stringify wrote).
        const parsed = events.map(({ recorded }) => JSON.parse(JSON.stringify(recorded)) as RecordedEvent);
        expect(storedExportOf(stored, selection)).toEqual(exportOf(parsed, selection));
      }),
      { numRuns: 300 },
    );
  }, 30_000);
});

describe('audit export: verification', () => {
  const lines = exportOf(log);

  it('passes a clean file, with its count and final hash, and the signature checked when given the key', async () => {
    const finalHash = JSON.parse(lines[4]).hash;
    expect(await verified(lines)).toMatchObject({ ok: true, count: 5, finalHash, signature: 'valid' });
    expect(await verified(lines, false)).toMatchObject({ ok: true, count: 5, finalHash, signature: 'not-checked' });
  });

  it('names an altered line', async () => {
    const altered = [...lines];
    altered[2] = altered[2].replace('"x"', '"y"');
    expect(await failure(altered)).toEqual({ line: 3, reason: expect.stringMatching(/^line 3: hash does not match/) });
  });

  it('names the line after an altered line whose hash was recomputed', async () => {
    const altered = [...lines];
    const { hash: _old, ...content } = JSON.parse(altered[1]);
    const forged = { ...content, data: { ...content.data, n: 2 } };
    altered[1] = JSON.stringify({ hash: sha256(JSON.parse(lines[0]).hash + canonicalJson(forged)), ...forged });
    expect((await failure(altered)).line).toBe(3);
  });

  it('names the line where one was removed', async () => {
    expect((await failure([lines[0], ...lines.slice(2)])).line).toBe(2);
    expect((await failure(lines.slice(1))).line).toBe(1);
  });

  it('names an inserted line', async () => {
    const copy = [...lines.slice(0, 3), lines[1], ...lines.slice(3)];
    expect((await failure(copy)).line).toBe(4);
  });

  it('names the first of two swapped lines', async () => {
    expect((await failure([lines[0], lines[2], lines[1], ...lines.slice(3)])).line).toBe(2);
  });

  it('refuses a forged manifest signature, and a manifest changed under its signature', async () => {
    const forged = [...lines.slice(0, 5), exportOf(log, {}, eventsFormat, signWith(otherKeys.privateKey))[5]];
    expect(await failure(forged)).toEqual({ line: 6, reason: expect.stringMatching(/^line 6: manifest signature does not verify/) });
    const signed = JSON.parse(lines[5]);
    const changed = [...lines.slice(0, 5), JSON.stringify({ ...signed, manifest: { ...signed.manifest, organisationId: null } })];
    expect((await failure(changed)).line).toBe(6);
    // Without the key, only what the lines show is checked: that change goes unseen, a wrong count does not.
    expect((await verified(changed, false)).ok).toBe(true);
    const recounted = [...lines.slice(0, 5), JSON.stringify({ ...signed, manifest: { ...signed.manifest, count: 4 } })];
    expect(await failure(recounted, false)).toEqual({ line: 6, reason: 'line 6: manifest does not match the lines: count is 4, the file has 5 lines before it' });
  });

  it('refuses a manifest that leaves out the last lines, a cut file, a line after the manifest, a line that is not JSON', async () => {
    // The first three lines, closed by a manifest signed for them: the chain holds; the lines cut are not in it.
    const cut = exportOf(log.slice(0, 3));
    expect(await verified(cut)).toMatchObject({ ok: true, count: 2 });
    expect((await failure([...lines.slice(0, 3), lines[5]])).line).toBe(4);
    expect(await failure(lines.slice(0, 5))).toEqual({ line: 6, reason: 'line 6: the file ends without a manifest (cut after line 5)' });
    expect((await failure([...lines, lines[0]])).line).toBe(7);
    expect(await failure([lines[0], '{"hash":', ...lines.slice(1)])).toEqual({ line: 2, reason: 'line 2: is not JSON' });
    expect((await failure([])).line).toBe(1);
  });

  it('refuses, for the events format, lines of another organisation or outside [from, to) under a manifest that says otherwise', async () => {
    const mixed = exportOf(log, { organisationId: null });
    const signed = JSON.parse(mixed[7]);
    const claimed = { ...signed.manifest, organisationId: ORG };
    const relabelled = [...mixed.slice(0, 7), manifestLine({ manifest: claimed, signature: signWith()(manifestSigningText(claimed)) }).trimEnd()];
    expect(await failure(relabelled)).toEqual({ line: 8, reason: 'line 8: manifest does not match the lines: line 2 is not of organisation org-1' });
    const timed = { ...signed.manifest, from: '2026-01-01T10:00:00.000Z' };
    const retimed = [...mixed.slice(0, 7), manifestLine({ manifest: timed, signature: signWith()(manifestSigningText(timed)) }).trimEnd()];
    expect((await failure(retimed)).reason).toMatch(/before from/);
  });

  it('verifies another format through the same chain, without knowing it', async () => {
    const wrapped: ExportFormat = { name: 'wrapped', description: 'test', toLine: (e) => (e.type === 'AuditRecordRead' ? null : { resource: { id: e.eventId } }) };
    const file = exportOf(log, {}, wrapped);
    expect(file).toHaveLength(5);
    expect(await verified(file)).toMatchObject({ ok: true, count: 4, manifest: { format: 'wrapped' } });
    expect((await failure([file[1], file[0], ...file.slice(2)])).line).toBe(1);
  });
});
