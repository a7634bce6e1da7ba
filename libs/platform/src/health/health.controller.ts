import { Controller, Get, Inject, UseGuards } from '@nestjs/common';
import { ApiOperation, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { EventStore } from '@access-ledger/event-store';
import { ReadStore } from '@access-ledger/read-store';
import { Public } from '../auth/auth.guard';
import { AppConfig } from '../config/config';
import { ManagementGuard } from '../http/management';
import { ApiProblems } from '../http/openapi';
import { APP_CONFIG, ConsumerMonitor, ConsumerReport, ConsumersReport, EVENT_STORE, READ_STORE } from '../stores/stores.module';

@ApiTags('operations')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly monitor: ConsumerMonitor,
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Liveness: the process answers. */
  @Get()
  @ApiOperation({ operationId: 'HealthController_live', summary: 'Liveness: the process answers (public, never rate-limited)' })
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /**
   * Readiness: both stores answer and no projection is too far behind (operators only: it names
   * stores and lag). Details per projection and reactor: checkpoint, lag, parked events. Neither
   * a reactor's lag nor parked events make it fail: the instance still serves correct reads; they
   * are for alerts (`parked_events` on /metrics) and `npm run reactors:retry`.
   */
  @Get('ready')
  @UseGuards(ManagementGuard)
  @ApiOperation({ operationId: 'HealthController_ready', summary: 'Readiness: both stores answer and no projection is too far behind, with the lag of each consumer (operators)' })
  @ApiSecurity('management')
  @ApiProblems(503)
  @HealthCheck()
  ready() {
    const report = this.monitor.report();
    // Read once for the three indicators; a failure is reported by each as "unknown".
    report.catch(() => undefined);
    return this.health.check([
      () => this.ping('eventStore', () => this.events.ping()),
      () => this.ping('readStore', () => this.readStore.ping()),
      () => this.consumers('projections', report, (r) => r.projections, (l) => l.lagSeconds > this.config.maxProjectionLagSeconds),
      () => this.consumers('reactors', report, (r) => r.reactors, () => false),
      () => this.parked(report),
    ]);
  }

  private async ping(key: string, ping: () => Promise<void>): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    try {
      await ping();
      return indicator.up();
    } catch (error) {
      return indicator.down({ message: 'unreachable' });
    }
  }

  private async consumers(
    key: string,
    report: Promise<ConsumersReport>,
    pick: (report: ConsumersReport) => readonly ConsumerReport[],
    tooFarBehind: (report: ConsumerReport) => boolean,
  ): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check(key);
    try {
      const consumers = pick(await report);
      const details = Object.fromEntries(
        consumers.map((c) => [c.name, { checkpoint: c.checkpoint, lagEvents: c.lagEvents, lagSeconds: c.lagSeconds, parked: c.parked }]),
      );
      return consumers.some(tooFarBehind) ? indicator.down(details) : indicator.up(details);
    } catch {
      return indicator.down({ message: 'lag unknown' });
    }
  }

  private async parked(report: Promise<ConsumersReport>): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check('parkedEvents');
    try {
      const { parked } = await report;
      return indicator.up({ total: Object.values(parked).reduce((a, b) => a + b, 0), byConsumer: parked });
    } catch {
      return indicator.down({ message: 'parked events unknown' });
    }
  }
}
