import { Controller, Get, Inject, UseGuards } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { EventStore } from '@access-ledger/event-store';
import { ReadStore } from '@access-ledger/read-store';
import { Public } from '../auth/auth.guard';
import { AppConfig } from '../config/config';
import { ManagementGuard } from '../http/management';
import { APP_CONFIG, EVENT_STORE, ProjectionMonitor, READ_STORE } from '../stores/stores.module';

@ApiTags('operations')
@Public()
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly monitor: ProjectionMonitor,
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_STORE) private readonly readStore: ReadStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Liveness: the process answers. */
  @Get()
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /** Readiness: both stores answer and no projection is too far behind (operators only: it names stores and lag). */
  @Get('ready')
  @UseGuards(ManagementGuard)
  @HealthCheck()
  ready() {
    return this.health.check([
      () => this.ping('eventStore', () => this.events.ping()),
      () => this.ping('readStore', () => this.readStore.ping()),
      () => this.projections(),
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

  private async projections(): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check('projections');
    try {
      const lag = await this.monitor.lag();
      const details = Object.fromEntries(lag.map((l) => [l.name, { checkpoint: l.checkpoint, lagEvents: l.lagEvents, lagSeconds: l.lagSeconds }]));
      const behind = lag.filter((l) => l.lagSeconds > this.config.maxProjectionLagSeconds);
      return behind.length === 0 ? indicator.up(details) : indicator.down(details);
    } catch {
      return indicator.down({ message: 'lag unknown' });
    }
  }
}
