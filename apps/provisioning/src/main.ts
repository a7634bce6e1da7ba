import 'reflect-metadata';
import { ConfigError, loadConfigOrExit } from '@access-ledger/platform';
import { loadProvisioningConfig } from '@access-ledger/provisioning-service';
import { createProvisioningApp } from './provisioning-app.module';

/** `npm run start:provisioning`: account provisioning as its own process (docs/operations.md, "Provisioning"). */
async function main(): Promise<void> {
  const appConfig = loadConfigOrExit(process.env, { auth: false, auditKey: false });
  let config;
  try {
    config = loadProvisioningConfig(process.env, appConfig, { embedded: false });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  const port = Number(process.env.PROVISIONING_PORT ?? 3002);
  const app = await createProvisioningApp(appConfig, config);
  await app.listen(port);
  const source = config.source.kind === 'feed' ? `the event feed of ${config.apiUrl}, checkpoint in ${config.source.checkpointFile}` : `EventStoreDB group ${config.source.group}`;
  process.stdout.write(
    `provisioning running (${config.provider.kind} provider, from ${source}); liveness on http://localhost:${port}/health, ` +
      `readiness, metrics and parked events on /health/ready, /metrics and /parked with Authorization: Bearer $MANAGEMENT_TOKEN\n`,
  );
}

main().catch((error) => {
  // A second consumer of the same checkpoint, an unreadable DATA_DIR: one line, exit code 1.
  process.stderr.write(`Provisioning did not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
