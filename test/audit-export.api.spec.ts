import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Response } from 'superagent';
import { ExportManifest, manifestLine, manifestSigningText, verifyExport } from '@access-ledger/audit';
import { fhirSchemaErrors } from '../libs/audit/src/testing/fhir-schema';
import { RecordedEvent } from '@access-ledger/core';
import { toArray } from '@access-ledger/event-store';
import { sha256Hex, signatureCheck } from '../apps/api/src/audit/audit-signing';
import { TestApi, asText, bearer, startApi } from './support/api';
import { OrgFixture, addUser, registerOrg } from './support/directory';

/**
 * GET /audit/export and GET /audit/public-key over real HTTP, and `npm run audit:verify` (the
 * built CLI: npm test builds before jest) on what the endpoint wrote, and on the store itself.
 */
describe('audit export', () => {
  let api: TestApi;
  let admin: string;
  let auditor: string;
  let a: OrgFixture;
  let b: OrgFixture;
  let changedUser: string;
  let publicKeyPem: string;
  const dir = mkdtempSync(join(tmpdir(), 'al-audit-export-'));

  const pause = () => new Promise((resolve) => setTimeout(resolve, 5));

  beforeAll(async () => {
    api = await startApi();
    admin = await api.token({ email: 'admin@platform.example', roles: ['platform_admin'] });
    auditor = await api.token({ email: 'audit@platform.example', roles: ['auditor'] });
    a = await registerOrg(api, admin);
    b = await registerOrg(api, admin);
    for (const org of [a, b, a]) {
      await pause();
      await addUser(api, org);
    }
    // A stream of several events in A, for the store check: added, then changed twice.
    changedUser = (await addUser(api, a)).id;
    for (const clinician of [true, false]) {
      await pause();
      const change = await api.http.patch(`/organisations/${a.orgId}/users/${changedUser}`).set(bearer(a.leadToken)).send({ clinician });
      expect(change.status).toBe(200);
    }
    // An idempotency key's stream: events of no organisation.
    const keyed = await api.http.post(`/organisations/${b.orgId}/users`).set(bearer(b.leadToken)).set('Idempotency-Key', 'export-key-1').send({ firstName: 'Ida', lastName: 'Key', email: `ida-${Date.now()}@example.org`, clinician: false, permissionLevel: 'recorder' });
    expect(keyed.status).toBe(201);
    publicKeyPem = (await api.http.get('/audit/public-key')).text;
  });
  afterAll(async () => {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The NDJSON body as text (supertest buffers only the types it knows). */
  const exported = (query: string, token = auditor) =>
    api.http
      .get(`/audit/export${query}`)
      .set(bearer(token))
      .buffer(true)
      .parse(asText);
  const linesOf = (response: Response): string[] => (response.body as string).split('\n').filter((line, i, all) => line !== '' || i < all.length - 1);
  const manifestOf = (lines: string[]): ExportManifest => JSON.parse(lines[lines.length - 1]).manifest;
  const eventsOf = (lines: string[]): RecordedEvent[] => lines.slice(0, -1).map((line) => JSON.parse(line));
  const stored = async (through: number, keep: (e: RecordedEvent) => boolean) => (await toArray(api.events.readAll())).filter((e) => e.position <= through && keep(e));
  const ofOrganisation = (organisationId: string) => (e: RecordedEvent) => e.data?.organisationId === organisationId;
  const verify = (lines: string[]) => verifyExport(lines, { sha256: sha256Hex, verifySignature: signatureCheck(publicKeyPem) });

  describe('who may export', () => {
    it('refuses everyone but auditors: 403 not-an-auditor, over real HTTP; 401 without a token', async () => {
      const recorder = await api.token({ email: (await addUser(api, a)).email });
      for (const token of [a.leadToken, admin, recorder, await api.token({ email: 'nobody@example.org' })]) {
        const refused = await api.http.get(`/audit/export?organisationId=${a.orgId}`).set(bearer(token));
        expect(refused.status).toBe(403);
        expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(refused.body.type).toBe('urn:access-ledger:problem:not-an-auditor');
      }
      expect((await api.http.get('/audit/export')).status).toBe(401);
    });

    it('serves the public key to anyone, with the fingerprint manifests name it by', async () => {
      const key = await api.http.get('/audit/public-key');
      expect(key.status).toBe(200);
      expect(key.headers['content-type']).toMatch(/^application\/x-pem-file/);
      expect(key.text).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
      const lines = linesOf(await exported(`?organisationId=${a.orgId}`));
      expect(manifestOf(lines).publicKeySha256).toBe(key.headers['audit-key-sha256']);
    });
  });

  describe('input', () => {
    it.each([
      ['?organisationId=not-a-uuid', 'organisationId'],
      ['?from=yesterday', 'from'],
      ['?from=2026-01-01T10:00:00', 'from'], // no time zone
      ['?to=2026-13-01T00:00:00Z', 'to'],
      ['?from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'to'],
      ['?from=2026-01-01T00:00:00Z&to=2026-01-01T01:00:00+01:00', 'to'], // the same instant
      ['?format=pdf', 'format'],
      ['?organisation=x', 'organisation'],
    ])('answers %s with 400 problem+json naming %s', async (query, field) => {
      const response = await api.http.get(`/audit/export${query}`).set(bearer(auditor));
      expect(response.status).toBe(400);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(JSON.stringify(response.body.errors ?? response.body)).toContain(field);
    });
  });

  describe('content', () => {
    it('streams the organisation’s events (data.organisationId), every one up to the log’s head, hash-chained and signed', async () => {
      const response = await exported(`?organisationId=${a.orgId}`);
      expect(response.status).toBe(200);
      expect(response.headers['content-type']).toBe('application/x-ndjson; charset=utf-8');
      const lines = linesOf(response);
      const manifest = manifestOf(lines);
      const expected = await stored(manifest.throughPosition, ofOrganisation(a.orgId));
      expect(expected.length).toBeGreaterThan(10);
      expect(eventsOf(lines).map(({ hash: _hash, ...event }: RecordedEvent & { hash?: string }) => event)).toEqual(expected);
      expect(manifest).toMatchObject({ format: 'events', organisationId: a.orgId, from: null, to: null, count: expected.length, firstPosition: expected[0].position, lastPosition: expected.at(-1)!.position });
      expect(await verify(lines)).toMatchObject({ ok: true, count: expected.length, signature: 'valid' });
      // The export is an audit read: recorded before the answer, so the export holds its own record.
      expect(eventsOf(lines).at(-1)).toMatchObject({ type: 'AuditRecordRead', data: { path: '/audit/export', query: { organisationId: a.orgId }, organisationId: a.orgId, reader: { email: 'audit@platform.example' } } });
    });

    it('takes [from, to) of metadata.occurredAt', async () => {
      const all = await stored(Number.MAX_SAFE_INTEGER, ofOrganisation(a.orgId));
      const times = [...new Set(all.map((e) => e.metadata.occurredAt))].sort();
      const [from, to] = [times[2], times[times.length - 2]];
      const lines = linesOf(await exported(`?organisationId=${a.orgId}&from=${from}&to=${to}`));
      const expected = all.filter((e) => e.metadata.occurredAt >= from && e.metadata.occurredAt < to);
      expect(expected.length).toBeGreaterThan(0);
      expect(expected.length).toBeLessThan(all.length - 2);
      expect(eventsOf(lines).map((e) => e.eventId)).toEqual(expected.map((e) => e.eventId));
      expect(manifestOf(lines)).toMatchObject({ from, to, count: expected.length });
      expect((await verify(lines)).ok).toBe(true);
    });

    it('exports the whole log without organisationId, events of no organisation included', async () => {
      const lines = linesOf(await exported(''));
      const manifest = manifestOf(lines);
      const expected = await stored(manifest.throughPosition, () => true);
      expect(eventsOf(lines).map((e) => e.eventId)).toEqual(expected.map((e) => e.eventId));
      expect(eventsOf(lines).some((e) => e.type === 'IdempotencyKeyClaimed' && e.data.organisationId === undefined)).toBe(true);
      expect(manifest).toMatchObject({ organisationId: null, count: expected.length });
      expect((await verify(lines)).ok).toBe(true);
    });

    it('writes FHIR R4 AuditEvents for format=fhir-auditevent: one per event, each valid against the official schema, the file chained and signed like the others', async () => {
      const lines = linesOf(await exported(`?organisationId=${a.orgId}&format=fhir-auditevent`));
      const manifest = manifestOf(lines);
      const expected = await stored(manifest.throughPosition, ofOrganisation(a.orgId));
      const resources = lines.slice(0, -1).map((line) => JSON.parse(line).resource);
      expect(manifest).toMatchObject({ format: 'fhir-auditevent', count: expected.length });
      expect(resources.map((r) => r.resourceType)).toEqual(expected.map(() => 'AuditEvent'));
      expect(resources.map((r) => r.id)).toEqual(expected.map((e) => e.eventId));
      for (const resource of resources) expect(fhirSchemaErrors(resource)).toEqual([]);
      expect(await verify(lines)).toMatchObject({ ok: true, count: expected.length, signature: 'valid' });
      const altered = [...lines];
      altered[1] = altered[1].replace('"AuditEvent"', '"Provenance"');
      expect((await verify(altered)).ok).toBe(false);
    });
  });

  describe('npm run audit:verify on a file from the endpoint', () => {
    const cli = (...args: string[]) => {
      const result = spawnSync(process.execPath, ['dist/apps/api/src/cli/audit-verify.js', ...args], { encoding: 'utf8', timeout: 30000, env: { ...process.env, DATA_DIR: api.dataDir } });
      return { code: result.status, out: result.stdout, err: result.stderr };
    };
    let lines: string[];
    const keyFile = join(dir, 'public.pem');
    const file = (name: string, content: string[]) => {
      const path = join(dir, name);
      writeFileSync(path, `${content.join('\n')}\n`);
      return path;
    };

    beforeAll(async () => {
      lines = linesOf(await exported(`?organisationId=${a.orgId}`));
      expect(lines.length).toBeGreaterThan(6);
      writeFileSync(keyFile, publicKeyPem);
    });

    it('passes the clean file: its event count and final hash, the signature checked with the key', () => {
      const manifest = manifestOf(lines);
      const ok = cli(file('clean.ndjson', lines), '--public-key', keyFile);
      expect(ok.code).toBe(0);
      expect(ok.out).toContain(`${manifest.count} events, final hash ${manifest.finalHash}`);
      expect(ok.out).toContain('signature valid');
      const unchecked = cli(file('clean.ndjson', lines));
      expect(unchecked.code).toBe(0);
      expect(unchecked.out).toContain('signature NOT checked');
    });

    it.each([
      ['one line altered', (l: string[]) => l.map((line, i) => (i === 2 ? line.replace('"clinician":false', '"clinician":true').replace('"revision":', '"revision":1') : line)), 3],
      ['one line removed', (l: string[]) => [...l.slice(0, 3), ...l.slice(4)], 4],
      ['one line inserted', (l: string[]) => [...l.slice(0, 5), l[1], ...l.slice(5)], 6],
      ['two lines swapped', (l: string[]) => [...l.slice(0, 1), l[2], l[1], ...l.slice(3)], 2],
    ])('names the line where the file breaks: %s', (name, tamper, line) => {
      const broken = cli(file(`${name}.ndjson`, tamper(lines)), '--public-key', keyFile);
      expect(broken.code).toBe(1);
      expect(broken.err).toMatch(new RegExp(`: line ${line}: hash does not match`));
    });

    it('refuses a manifest with a forged signature, naming its line', () => {
      const other = generateKeyPairSync('ed25519').privateKey;
      const manifest = { ...manifestOf(lines), count: manifestOf(lines).count };
      const forged = [...lines.slice(0, -1), manifestLine({ manifest, signature: sign(null, Buffer.from(manifestSigningText(manifest)), other).toString('base64') }).trimEnd()];
      const broken = cli(file('forged.ndjson', forged), '--public-key', keyFile);
      expect(broken.code).toBe(1);
      expect(broken.err).toContain(`line ${lines.length}: manifest signature does not verify`);
    });

    it('says what is wrong with its arguments (exit 2)', () => {
      expect(cli().code).toBe(2);
      expect(cli(join(dir, 'missing.ndjson')).code).toBe(2);
      expect(cli(file('x.ndjson', lines), '--public-key', file('not-a-key.pem', ['hello'])).code).toBe(2);
    });
  });

  describe('npm run audit:verify -- --store', () => {
    const cli = () => {
      const result = spawnSync(process.execPath, ['dist/apps/api/src/cli/audit-verify.js', '--store'], { encoding: 'utf8', timeout: 30000, env: { ...process.env, DATA_DIR: api.dataDir } });
      return { code: result.status, out: result.stdout, err: result.stderr };
    };
    const edit = (sql: string, ...params: unknown[]) => {
      const db = new Database(join(api.dataDir, 'events.db'));
      try {
        db.prepare(sql).run(...params);
      } finally {
        db.close();
      }
    };

    it('passes the intact store, then names the stream and revision of an event edited, and of one deleted, inside the SQLite file', () => {
      const ok = cli();
      expect(ok.code).toBe(0);
      expect(ok.out).toMatch(/^OK store: \d+ events in \d+ streams; 0 stored before the hash chain \(not checked\); 0 break\(s\)/);

      const stream = `user-${changedUser}`;
      const db = new Database(join(api.dataDir, 'events.db'), { readonly: true });
      const original = db.prepare('SELECT data FROM events WHERE stream_id = ? AND revision = 1').pluck().get(stream) as string;
      db.close();
      edit('UPDATE events SET data = ? WHERE stream_id = ? AND revision = 1', original.replace('"clinician":true', '"clinician":false'), stream);
      const edited = cli();
      expect(edited.code).toBe(1);
      expect(edited.err).toContain(`BROKEN ${stream}@1: streamHash does not follow`);
      expect(edited.err).toMatch(/BROKEN store: .*; 1 break\(s\)/);

      edit('UPDATE events SET data = ? WHERE stream_id = ? AND revision = 1', original, stream);
      expect(cli().code).toBe(0);
      edit('DELETE FROM events WHERE stream_id = ? AND revision = 1', stream);
      const deleted = cli();
      expect(deleted.code).toBe(1);
      expect(deleted.err).toContain(`BROKEN ${stream}@2: revision 1 is missing (deleted)`);
    });
  });
});
