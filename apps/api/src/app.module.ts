import { DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, RouterModule } from '@nestjs/core';
import { CqrsModule } from '@nestjs/cqrs';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';
import { TokenVerifier } from '@access-ledger/auth';
import { accessExpirySweep, AppConfig, AuditorReadOnlyGuard, AuthGuard, HealthController, HttpMetricsInterceptor, IdempotencyInterceptor, Metrics, MetricsController, PRINCIPAL_CHECKS, ProblemFilter, RateLimitGuard, rateLimitModule, StoresModule, TOKEN_VERIFIER } from '@access-ledger/platform';
import { projections } from '@access-ledger/projections';
import { isProvisioningPoll, ProvisioningConfig, ProvisioningModule } from '@access-ledger/provisioning-service';
import { reactors } from '@access-ledger/reactors';
import { DirectoryAccess } from './directory/directory-access';
import { DirectoryModule } from './directory/directory.module';
import { AccessRequestsModule } from './access-requests/access-requests.module';
import { CareAccessModule } from './care-access/care-access.module';
import { AuditModule } from './audit/audit.module';
import { FeedModule } from './feed/feed.module';

@Module({})
export class AppModule {
  /** `provisioning`: account provisioning in this process (the embedded default), its routes under /provisioning; null when it runs as its own process. */
  static forConfig(config: AppConfig, provisioning: ProvisioningConfig | null = null): DynamicModule {
    return {
      module: AppModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.logLevel,
            genReqId: (request: IncomingMessage) => (request as IncomingMessage & { correlationId?: string }).correlationId ?? 'unknown',
            redact: ['req.headers.authorization', 'req.headers.cookie'],
            customLogLevel: (request, response, error) => {
              if (error || response.statusCode >= 500) return 'error';
              // The in-process provisioning reads the feed every poll interval: its successful reads are debug, not a line a second.
              return isProvisioningPoll(request as IncomingMessage & { principal?: { sub: string } }, response.statusCode) ? 'debug' : 'info';
            },
          },
        }),
        // The reactors (libs/reactors) and sweeps are the projector's too (apps/projector/src/consumers.ts): run here with
        // RUN_PROJECTIONS (the embedded default), otherwise only reported on (lag, parked events).
        StoresModule.forConfig(config, { projections, reactors, sweeps: [accessExpirySweep] }),
        CqrsModule.forRoot(),
        TerminusModule.forRoot({ errorLogStyle: 'json', logger: false }),
        rateLimitModule(),
        DirectoryModule,
        AccessRequestsModule,
        CareAccessModule,
        AuditModule,
        FeedModule,
        ...(provisioning
          ? [ProvisioningModule.forConfig({ config: provisioning }), RouterModule.register([{ path: 'provisioning', module: ProvisioningModule }])]
          : []),
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: TOKEN_VERIFIER, useValue: new TokenVerifier(config.auth) },
        { provide: PRINCIPAL_CHECKS, useFactory: (directory: DirectoryAccess) => [directory], inject: [DirectoryAccess] },
        { provide: APP_GUARD, useClass: AuthGuard },
        // After AuthGuard (it needs the caller), before everything a write does: auditors never write.
        { provide: APP_GUARD, useClass: AuditorReadOnlyGuard },
        // After AuthGuard (global guards run in this order): limits per caller need the caller.
        ...(config.rateLimits.enabled ? [{ provide: APP_GUARD, useClass: RateLimitGuard }] : []),
        { provide: APP_FILTER, useClass: ProblemFilter },
        { provide: APP_INTERCEPTOR, useClass: HttpMetricsInterceptor },
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
        Metrics,
      ],
      exports: [Metrics],
    };
  }
}
