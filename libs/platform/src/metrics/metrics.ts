import { CallHandler, Controller, ExecutionContext, Get, Header, Injectable, NestInterceptor, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Observable, finalize } from 'rxjs';
import { Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { Public } from '../auth/auth.guard';
import { ManagementGuard } from '../http/management';
import { ConsumerMonitor } from '../stores/stores.module';

/** Prometheus metrics: process defaults, HTTP latency, projection and reactor lag, parked events (read from the stores at scrape time, never the log). */
@Injectable()
export class Metrics {
  readonly registry = new Registry();
  readonly httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration by route and status',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });

  constructor(monitor: ConsumerMonitor) {
    collectDefaultMetrics({ register: this.registry });
    const gauge = (name: string, help: string, label: string) => new Gauge({ name, help, labelNames: [label], registers: [this.registry] });
    const projection = {
      checkpoint: gauge('projection_checkpoint', 'Last position processed by a projection', 'projection'),
      lagEvents: gauge('projection_lag_events', 'Events after a projection checkpoint up to the head of the log (absent where the store cannot count them)', 'projection'),
      lagSeconds: gauge('projection_lag_seconds', 'Age of the oldest event a projection has not processed, at most', 'projection'),
    };
    const reactor = {
      checkpoint: gauge('reactor_checkpoint', 'Last position processed by a reactor', 'reactor'),
      lagEvents: gauge('reactor_lag_events', 'Events after a reactor checkpoint up to the head of the log (absent where the store cannot count them)', 'reactor'),
      lagSeconds: gauge('reactor_lag_seconds', 'Age of the oldest event a reactor has not processed, at most', 'reactor'),
    };
    const parked = gauge('parked_events', 'Events a projection or reactor parked after its attempts (npm run reactors:retry)', 'consumer');
    // One read of the stores per scrape for every gauge (a collect() per gauge would read them once each).
    this.scrape = async () => {
      const report = await monitor.report();
      for (const [gauges, label, consumers] of [[projection, 'projection', report.projections], [reactor, 'reactor', report.reactors]] as const) {
        for (const c of consumers) {
          gauges.checkpoint.set({ [label]: c.name }, c.checkpoint);
          // Not counted (EventStoreDB, a checkpoint older than the head tracker): no value rather than a wrong one.
          if (c.lagEvents === null) gauges.lagEvents.remove({ [label]: c.name });
          else gauges.lagEvents.set({ [label]: c.name }, c.lagEvents);
          gauges.lagSeconds.set({ [label]: c.name }, c.lagSeconds);
        }
      }
      // Known consumers at 0, so that an alert on parked_events > 0 clears after a retry.
      parked.reset();
      for (const c of [...report.projections, ...report.reactors]) parked.set({ consumer: c.name }, 0);
      for (const [consumer, count] of Object.entries(report.parked)) parked.set({ consumer }, count);
    };
  }

  /** Reads the consumers' state into the gauges; called before each scrape. */
  readonly scrape: () => Promise<void>;
}

@Injectable()
export class HttpMetricsInterceptor implements NestInterceptor {
  constructor(private readonly metrics: Metrics) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request>();
    const response = context.switchToHttp().getResponse<Response>();
    const stop = this.metrics.httpDuration.startTimer({ method: request.method });
    const route = (request.route as { path?: string } | undefined)?.path ?? 'unmatched';
    return next.handle().pipe(finalize(() => stop({ route, status: String(response.statusCode) })));
  }
}

@ApiExcludeController()
@Public()
@UseGuards(ManagementGuard)
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: Metrics) {}

  @Get()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  async scrape(): Promise<string> {
    await this.metrics.scrape();
    return this.metrics.registry.metrics();
  }
}
