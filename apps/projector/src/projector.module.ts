import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from '../../api/src/config/config';
import { HealthController } from '../../api/src/health/health.controller';
import { StoresModule } from '../../api/src/infrastructure/stores.module';
import { Metrics, MetricsController } from '../../api/src/metrics/metrics';

/** The projector on its own: the projection runner, with health (lag) and metrics over HTTP. */
@Module({})
export class ProjectorModule {
  static forConfig(config: AppConfig): DynamicModule {
    return {
      module: ProjectorModule,
      imports: [
        LoggerModule.forRoot({ pinoHttp: { level: config.logLevel, autoLogging: false } }),
        StoresModule.forConfig({ ...config, runProjections: true }),
        TerminusModule.forRoot({ logger: false }),
      ],
      controllers: [HealthController, MetricsController],
      providers: [Metrics],
    };
  }
}
