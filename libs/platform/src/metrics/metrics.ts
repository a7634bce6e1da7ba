import { CallHandler, Controller, ExecutionContext, Get, Header, Injectable, NestInterceptor, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { Observable, finalize } from 'rxjs';
import { Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { Public } from '../auth/auth.guard';
import { ManagementGuard } from '../http/management';
import { ProjectionMonitor } from '../stores/stores.module';

/** Prometheus metrics: process defaults, HTTP latency, projection lag (read from the stores at scrape time). */
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

  constructor(monitor: ProjectionMonitor) {
    collectDefaultMetrics({ register: this.registry });
    const lagEvents = new Gauge({ name: 'projection_lag_events', help: 'Positions between a projection checkpoint and the head of the log', labelNames: ['projection'] as const, registers: [this.registry] });
    const lagSeconds = new Gauge({ name: 'projection_lag_seconds', help: 'Age of the oldest event a projection has not processed', labelNames: ['projection'] as const, registers: [this.registry] });
    new Gauge({
      name: 'projection_checkpoint',
      help: 'Last position processed by a projection',
      labelNames: ['projection'] as const,
      registers: [this.registry],
      async collect() {
        for (const lag of await monitor.lag()) {
          this.set({ projection: lag.name }, lag.checkpoint);
          lagEvents.set({ projection: lag.name }, lag.lagEvents);
          lagSeconds.set({ projection: lag.name }, lag.lagSeconds);
        }
      },
    });
  }
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
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
