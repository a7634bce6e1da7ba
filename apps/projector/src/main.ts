import 'reflect-metadata';
import { checkEventStoreAccessOrExit, loadConfigOrExit } from '@access-ledger/platform';
import { createProjectorApp } from './projector.module';

/** `npm run start:projector`: runs the projections as their own process (production layout). */
async function main(): Promise<void> {
  const config = loadConfigOrExit(process.env, { auth: false, auditKey: false });
  await checkEventStoreAccessOrExit(config);
  const port = Number(process.env.PROJECTOR_PORT ?? 3001);
  const app = await createProjectorApp(config);
  await app.listen(port);
  process.stdout.write(
    `projector running (event store: ${config.eventStore.kind}, read store: ${config.readStore.kind}); liveness on http://localhost:${port}/health, ` +
      `readiness and metrics on /health/ready and /metrics with Authorization: Bearer $MANAGEMENT_TOKEN\n`,
  );
}

void main();
