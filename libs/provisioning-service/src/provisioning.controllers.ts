import { Controller, Get, Header, HttpCode, Param, Post, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { DomainError, NotFoundError } from '@access-ledger/core';
import { ManagementGuard, Public } from '@access-ledger/platform';
import { ProvisioningService } from './provisioning.service';

/** Liveness (anyone) and readiness with the source's state (operators: MANAGEMENT_TOKEN). */
@ApiExcludeController()
@Public()
@Controller('health')
export class ProvisioningHealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly provisioning: ProvisioningService,
  ) {}

  @Get()
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /**
   * Ready when the checkpoint store answers and the source is connected (the feed's last read
   * went through, or the persistent subscription is up). Lag and parked events are details, for
   * alerts on /metrics: they do not fail readiness.
   */
  @Get('ready')
  @UseGuards(ManagementGuard)
  @HealthCheck()
  ready() {
    return this.health.check([() => this.store(), () => this.source()]);
  }

  private store(): HealthIndicatorResult {
    const indicator = this.indicators.check('checkpointStore');
    try {
      this.provisioning.pingStore();
      return indicator.up();
    } catch {
      return indicator.down({ message: 'unreachable' });
    }
  }

  private source(): HealthIndicatorResult {
    const indicator = this.indicators.check('source');
    const status = this.provisioning.status();
    if (!status) return indicator.down({ message: 'not started' });
    const { connected, ...details } = status;
    return connected ? indicator.up(details) : indicator.down(details);
  }
}

@ApiExcludeController()
@Public()
@UseGuards(ManagementGuard)
@Controller('metrics')
export class ProvisioningMetricsController {
  constructor(private readonly provisioning: ProvisioningService) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.provisioning.metrics.text();
  }
}

/** Parked events for operators (MANAGEMENT_TOKEN): list them, retry one (feed source), replay all (EventStoreDB). */
@ApiExcludeController()
@Public()
@UseGuards(ManagementGuard)
@Controller('parked')
export class ProvisioningParkedController {
  constructor(private readonly provisioning: ProvisioningService) {}

  @Get()
  list() {
    const parked = this.provisioning.listParked();
    if (parked === null) throw new NotFoundError('parked-in-eventstoredb', 'Parked events are in EventStoreDB, in the group\'s parked stream: POST /parked/replay replays them.');
    return { items: parked.map(({ event, ...entry }) => ({ ...entry, streamId: event.streamId })) };
  }

  @Post('replay')
  @HttpCode(202)
  async replay() {
    if (!(await this.provisioning.replayParked())) {
      throw new DomainError('conflict', 'replay-needs-eventstoredb', 'The feed source retries parked events one at a time: POST /parked/:eventId/retry.');
    }
    return { replaying: true };
  }

  @Post(':eventId/retry')
  @HttpCode(200)
  async retry(@Param('eventId') eventId: string) {
    const outcome = await this.provisioning.retryParked(eventId);
    if (!outcome.found) throw new NotFoundError('not-parked', `No parked provisioning event has the id ${eventId}.`);
    if (!outcome.ok) {
      throw new DomainError('conflict', 'retry-failed', `Provisioning failed again and stays parked: ${outcome.detail}`, { attempts: outcome.attempts });
    }
    return { eventId, status: 'provisioned', attempts: outcome.attempts };
  }
}
