import { DynamicModule, INestApplication, Module } from '@nestjs/common';
import { APP_FILTER, NestFactory } from '@nestjs/core';
import { TerminusModule } from '@nestjs/terminus';
import { Logger, LoggerModule } from 'nestjs-pino';
import { AppConfig, hardenServer, HealthController, Metrics, MetricsController, ProblemFilter, securityHeaders, StoresModule } from '@access-ledger/platform';
import { projections } from '@access-ledger/projections';

/** The projector on its own: the projection runner, with health (lag) and metrics over HTTP. */
@Module({})
export class ProjectorModule {
  static forConfig(config: AppConfig): DynamicModule {
    return {
      module: ProjectorModule,
      imports: [
        LoggerModule.forRoot({ pinoHttp: { level: config.logLevel, autoLogging: false } }),
        StoresModule.forConfig({ ...config, runProjections: true }, projections),
        TerminusModule.forRoot({ logger: false }),
      ],
      controllers: [HealthController, MetricsController],
      // Readiness details and metrics need MANAGEMENT_TOKEN here too; refusals are problem+json.
      providers: [Metrics, { provide: APP_FILTER, useClass: ProblemFilter }],
    };
  }
}

/** The projector's HTTP side (not yet listening), with the API's headers, timeouts and client-error answers. */
export async function createProjectorApp(config: AppConfig): Promise<INestApplication> {
  const app = await NestFactory.create(ProjectorModule.forConfig(config), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  hardenServer(app.getHttpServer(), config.http);
  app.use(securityHeaders);
  return app;
}
