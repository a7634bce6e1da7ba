import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { loadConfigOrExit } from '../../api/src/config/config';
import { ProjectorModule } from './projector.module';

/** `npm run start:projector`: runs the projections as their own process (production layout). */
async function main(): Promise<void> {
  const config = loadConfigOrExit(process.env, { auth: false });
  const port = Number(process.env.PROJECTOR_PORT ?? 3001);
  const app = await NestFactory.create(ProjectorModule.forConfig(config), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  await app.listen(port);
  process.stdout.write(`projector running (event store: ${config.eventStore.kind}, read store: ${config.readStore.kind}); health on http://localhost:${port}/health/ready\n`);
}

void main();
