import { DynamicModule, INestApplication, Module } from '@nestjs/common';
import { APP_FILTER, NestFactory } from '@nestjs/core';
import { Logger, LoggerModule } from 'nestjs-pino';
import { AppConfig, hardenServer, ProblemFilter, securityHeaders } from '@access-ledger/platform';
import { ProvisioningConfig, ProvisioningModule } from '@access-ledger/provisioning-service';

/** Provisioning as its own process: the module with its health, metrics and parked routes, the API's logging and problem answers. */
@Module({})
export class ProvisioningAppModule {
  static forConfig(appConfig: AppConfig, config: ProvisioningConfig): DynamicModule {
    return {
      module: ProvisioningAppModule,
      imports: [LoggerModule.forRoot({ pinoHttp: { level: appConfig.logLevel, autoLogging: false } }), ProvisioningModule.forConfig({ config, appConfig })],
      providers: [{ provide: APP_FILTER, useClass: ProblemFilter }],
    };
  }
}

/** The provisioning app's HTTP side (not yet listening), with the API's headers and timeouts. */
export async function createProvisioningApp(appConfig: AppConfig, config: ProvisioningConfig): Promise<INestApplication> {
  const app = await NestFactory.create(ProvisioningAppModule.forConfig(appConfig, config), { bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  hardenServer(app.getHttpServer(), appConfig.http);
  app.use(securityHeaders);
  return app;
}
