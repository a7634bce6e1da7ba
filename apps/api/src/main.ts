import 'reflect-metadata';
import { ConfigError, checkEventStoreAccessOrExit, loadConfigOrExit } from '@access-ledger/platform';
import { inProcessProvisioning } from '@access-ledger/provisioning-service';
import { createApp } from './app.factory';

async function main(): Promise<void> {
  const config = loadConfigOrExit();
  let provisioning;
  try {
    provisioning = inProcessProvisioning(process.env, config);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  await checkEventStoreAccessOrExit(config);
  const app = await createApp(config, provisioning);
  await app.listen(config.port);
  const url = `http://localhost:${config.port}`;
  const lines = [
    `access-ledger listening on ${url} (event store: ${config.eventStore.kind}, read store: ${config.readStore.kind}, projections: ${config.runProjections ? 'in process' : 'external'}, ` +
      `provisioning: ${provisioning ? `in process, ${provisioning.provider.kind} provider` : 'external'})`,
    `API docs: ${url}/docs   liveness: ${url}/health   ` +
      (config.managementToken ? `readiness: ${url}/health/ready and metrics: ${url}/metrics with Authorization: Bearer $MANAGEMENT_TOKEN` : 'readiness details and metrics: set MANAGEMENT_TOKEN'),
  ];
  if (config.auth.mode === 'hs256' && !process.env.AUTH_JWT_SECRET) {
    lines.push(
      `${config.generatedSecret ? 'Generated' : 'Using'} the embedded signing secret in ${config.dataDir}/jwt-secret. Mint a token with:`,
      `  npm run token -- --email you@example.org --roles platform_admin`,
    );
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

void main();
