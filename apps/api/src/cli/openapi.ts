import 'reflect-metadata';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@access-ledger/platform';
import { createApp, openApiDocument } from '../app.factory';

/** `npm run openapi [-- <file>]`: writes the OpenAPI document the API serves (default docs/openapi.json), from an app that never listens. */
async function main(): Promise<number> {
  const file = process.argv[2] ?? 'docs/openapi.json';
  const dataDir = mkdtempSync(join(tmpdir(), 'al-openapi-'));
  try {
    const app = await createApp(loadConfig({ DATA_DIR: dataDir, AUTH_JWT_SECRET: 'x'.repeat(32), LOG_LEVEL: 'silent', RUN_PROJECTIONS: 'false' }));
    writeFileSync(file, `${JSON.stringify(openApiDocument(app), null, 2)}\n`);
    await app.close();
    process.stdout.write(`Wrote ${file}\n`);
    return 0;
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

main().then((code) => process.exit(code));
