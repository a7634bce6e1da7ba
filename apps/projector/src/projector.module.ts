import { DynamicModule, INestApplication, Module } from '@nestjs/common';
import { APP_FILTER, NestFactory } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { Logger, LoggerModule } from 'nestjs-pino';
import { AppConfig, Consumers, hardenServer, HealthController, Metrics, MetricsController, ProblemFilter, securityHeaders, StoresModule } from '@access-ledger/platform';
import { consumers as registered } from './consumers';

/** The projector on its own: the projection and reactor runners, with health (lag, parked events) and metrics over HTTP. */
@Module({})
export class ProjectorModule {
  static forConfig(config: AppConfig, consumers: Consumers = registered): DynamicModule {
    return {
      module: ProjectorModule,
      imports: [
        LoggerModule.forRoot({ pinoHttp: { level: config.logLevel, autoLogging: false } }),
        StoresModule.forConfig({ ...config, runProjections: true }, consumers),
        TerminusModule.forRoot({ logger: false }),
      ],
      controllers: [HealthController, MetricsController],
      // Readiness details and metrics need MANAGEMENT_TOKEN here too; refusals are problem+json.
      providers: [Metrics, { provide: APP_FILTER, useClass: ProblemFilter }],
    };
  }
}

/**
 * The projector's HTTP side (not yet listening), with the API's headers, timeouts and client-error
 * answers; `consumers` defaults to the registered ones (tests pass their own).
 */
export async function createProjectorApp(config: AppConfig, consumers: Consumers = registered): Promise<INestApplication> {
  const app = await NestFactory.create(ProjectorModule.forConfig(config, consumers), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  hardenServer(app.getHttpServer(), config.http);
  app.use(securityHeaders);
  return app;
}
