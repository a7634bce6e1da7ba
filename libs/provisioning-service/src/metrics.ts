import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * Provisioning's Prometheus metrics, in a registry of its own (served on its /metrics, or on
 * /provisioning/metrics inside the API): lag, attempts, failures, parked events, reports.
 */
export class ProvisioningMetrics {
  readonly registry = new Registry();
  readonly checkpoint = new Gauge({ name: 'provisioning_checkpoint', help: 'Feed position up to which every event is provisioned and reported', registers: [this.registry] });
  readonly lagEvents = new Gauge({
    name: 'provisioning_lag_events',
    help: 'Positions between the checkpoint and the last position the feed has shown (0: caught up)',
    registers: [this.registry],
  });
  readonly attempts = new Counter({
    name: 'provisioning_attempts_total',
    help: 'Attempts at a provisioning action downstream, by provider and result (ok, retryable, refused)',
    labelNames: ['provider', 'result'] as const,
    registers: [this.registry],
  });
  readonly failures = new Counter({
    name: 'provisioning_failures_total',
    help: 'Actions that failed for good (attempts used up, or refused) and were parked',
    labelNames: ['action'] as const,
    registers: [this.registry],
  });
  readonly parked = new Gauge({ name: 'provisioning_parked_events', help: 'Parked events waiting for an operator (POST /parked/:eventId/retry)', registers: [this.registry] });
  readonly reports = new Counter({
    name: 'provisioning_outcome_reports_total',
    help: 'Outcome reports sent to the API, by status and result (recorded, replayed, refused, error)',
    labelNames: ['status', 'result'] as const,
    registers: [this.registry],
  });
  readonly feedErrors = new Counter({ name: 'provisioning_feed_errors_total', help: 'Feed reads that failed (retried)', registers: [this.registry] });
  readonly duration = new Histogram({
    name: 'provisioning_event_duration_seconds',
    help: 'From an event read to its outcome reported, attempts and pauses included',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30, 120],
    registers: [this.registry],
  });

  constructor(
    options: { processDefaults: boolean },
    /** Read at scrape time (the parked count lives in the checkpoint store). */
    private readonly collect: () => void = () => undefined,
  ) {
    if (options.processDefaults) collectDefaultMetrics({ register: this.registry });
  }

  async text(): Promise<string> {
    this.collect();
    return this.registry.metrics();
  }
}
