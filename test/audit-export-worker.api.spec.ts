import { PassThrough } from 'node:stream';
import type { Response } from 'superagent';
import { DEFAULT_EXPORT_FORMAT, ExportFormat, ExportManifest, ExportSelection, exportFormatNamed, verifyExport } from '@access-ledger/audit';
import { AuditExport } from '../apps/api/src/audit/export-audit/audit-export';
import { AuditSigner, sha256Hex, signatureCheck } from '../apps/api/src/audit/audit-signing';
import { TestApi, asText, bearer, startApi } from './support/api';
import { addUser, registerOrg } from './support/directory';

/**
 * The export's worker thread (rows read and lines put together off the main thread, for a long
 * log on the embedded store) writes the same file, byte for byte, as the main thread alone:
 * only the manifest's generatedAt, and so its signature, differ between two exports.
 */
describe('audit export through the worker thread', () => {
  let api: TestApi;
  let auditor: string;
  let organisationId: string;
  let publicKeyPem: string;

  beforeAll(async () => {
    // From the first event on, so that this small log takes the worker over HTTP.
    api = await startApi({ AUDIT_EXPORT_WORKER_FROM_EVENTS: '0' });
    const admin = await api.token({ email: 'admin@platform.example', roles: ['platform_admin'] });
    auditor = await api.token({ email: 'audit@platform.example', roles: ['auditor'] });
    const a = await registerOrg(api, admin);
    const b = await registerOrg(api, admin);
    for (const org of [a, b, a, a, b]) await addUser(api, org);
    organisationId = a.orgId;
    publicKeyPem = (await api.http.get('/audit/public-key')).text;
  });
  const exporters: AuditExport[] = [];
  afterAll(async () => {
    await Promise.all(exporters.map((e) => e.onModuleDestroy()));
    await api.close();
  });

  /** One export written by AuditExport into memory: through the worker (batches of 3 events, one ahead) or on the main thread. */
  const exportText = async (worker: boolean, selection: ExportSelection, format: ExportFormat): Promise<string> => {
    const exporter = new AuditExport(api.events, api.app.get(AuditSigner), worker ? { workerFromEvents: 0, workerPageSize: 3, workerBatchesAhead: 1 } : { workerFromEvents: Number.POSITIVE_INFINITY });
    exporters.push(exporter);
    const out = new PassThrough();
    let text = '';
    out.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    await exporter.write(selection, format, out);
    return text;
  };
  const linesOf = (text: string) => text.split('\n').slice(0, -1);
  const withoutTime = (text: string) => {
    const lines = linesOf(text);
    const { manifest } = JSON.parse(lines[lines.length - 1]) as { manifest: ExportManifest };
    return [...lines.slice(0, -1), JSON.stringify({ ...manifest, generatedAt: null })];
  };

  it.each([
    ['the whole log', { organisationId: null, from: null, to: null }, 'events'],
    ['one organisation', { organisationId: 'A', from: null, to: null }, 'events'],
    ['a time range', { organisationId: null, from: '2000-01-01T00:00:00.000Z', to: '2100-01-01T00:00:00.000Z' }, 'events'],
    ['FHIR AuditEvents', { organisationId: null, from: null, to: null }, 'fhir-auditevent'],
  ])('writes %s exactly as the main thread does', async (_, selection, formatName) => {
    const chosen = { ...selection, organisationId: selection.organisationId === 'A' ? organisationId : selection.organisationId } as ExportSelection;
    const format = exportFormatNamed(formatName as string)!;
    const plain = await exportText(false, chosen, format);
    const worked = await exportText(true, chosen, format);
    expect(linesOf(worked).length).toBeGreaterThan(3);
    expect(withoutTime(worked)).toEqual(withoutTime(plain));
    expect(await verifyExport(linesOf(worked), { sha256: sha256Hex, verifySignature: signatureCheck(publicKeyPem) })).toMatchObject({ ok: true });
  });

  it('serves GET /audit/export through it, verified clean with the public key', async () => {
    const response: Response = await api.http
      .get(`/audit/export?format=${DEFAULT_EXPORT_FORMAT}`)
      .set(bearer(auditor))
      .buffer(true)
      .parse(asText);
    expect(response.status).toBe(200);
    const lines = linesOf(response.body as string);
    const result = await verifyExport(lines, { sha256: sha256Hex, verifySignature: signatureCheck(publicKeyPem) });
    expect(result).toMatchObject({ ok: true, count: lines.length - 1 });
    expect(lines.length - 1).toBe(await api.events.headPosition());
  });
});
