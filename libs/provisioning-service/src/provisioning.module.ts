import { DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { APP_CONFIG, AppConfig } from '@access-ledger/platform';
import { ProvisioningConfig } from './config';
import { ProvisioningHealthController, ProvisioningMetricsController, ProvisioningParkedController } from './provisioning.controllers';
import { PROVISIONING_CONFIG, ProvisioningService } from './provisioning.service';

export interface ProvisioningModuleOptions {
  readonly config: ProvisioningConfig;
  /** The platform configuration for the management guard, when no other module provides it (the standalone app). */
  readonly appConfig?: AppConfig;
}

/**
 * Account provisioning as a Nest module: the service (source, worker, provider) with its
 * /health, /metrics and /parked routes. `apps/provisioning` composes it as its own process; the
 * API composes it in process on the embedded default, under /provisioning.
 */
@Module({})
export class ProvisioningModule {
  static forConfig({ config, appConfig }: ProvisioningModuleOptions): DynamicModule {
    return {
      module: ProvisioningModule,
      imports: [TerminusModule.forRoot({ logger: false })],
      controllers: [ProvisioningHealthController, ProvisioningMetricsController, ProvisioningParkedController],
      providers: [
        { provide: PROVISIONING_CONFIG, useValue: config },
        ...(appConfig ? [{ provide: APP_CONFIG, useValue: appConfig }] : []),
        ProvisioningService,
      ],
      exports: [ProvisioningService],
    };
  }
}
