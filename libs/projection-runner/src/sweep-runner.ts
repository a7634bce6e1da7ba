import { errorMessage } from './retry';
import { RunnerLogger } from './subscription-runner';

/**
 * A consumer driven by time rather than by events: now and then it looks at what has become due
 * (read from a read model) and acts on it, e.g. records that access expired once its `until` has
 * passed. No event says "the time has come", so no subscription can deliver it.
 *
 * A pass may stop half way (a crash, a shutdown, an error of one item) and is simply run again at
 * the next interval, so a sweep must be **idempotent**: whatever it does carries an id derived
 * from what it acts on (a command id), and doing it again does nothing. It reads a read model,
 * which may lag: what a pass did may still look due to the next one, which then does nothing.
 */
export interface Sweep {
  /** For logs. */
  readonly name: string;
  /** Pause between the end of one pass and the start of the next. */
  readonly intervalMs: number;
  /** One pass at `now`; it stops early when `signal` is aborted (the runner is stopping). A throw is logged and the next pass comes as usual. */
  sweep(now: Date, signal: AbortSignal): Promise<unknown>;
}

export interface SweepRunnerOptions {
  readonly logger?: RunnerLogger;
  /** The clock each pass is given. */
  readonly now?: () => Date;
}

const silent: RunnerLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

/**
 * Runs each sweep once at start (catching up on whatever fell due while nothing ran), then
 * `intervalMs` after its previous pass ended, so that passes of one sweep never overlap however
 * long one takes. `stop` cancels what is scheduled, aborts the passes under way and waits for them.
 */
export class SweepRunner {
  private readonly stopping = new AbortController();
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private readonly passes = new Set<Promise<void>>();
  private readonly logger: RunnerLogger;
  private readonly now: () => Date;

  constructor(
    private readonly sweeps: readonly Sweep[],
    options: SweepRunnerOptions = {},
  ) {
    this.logger = options.logger ?? silent;
    this.now = options.now ?? (() => new Date());
  }

  start(): void {
    for (const sweep of this.sweeps) this.schedule(sweep, 0);
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await Promise.all(this.passes);
  }

  private schedule(sweep: Sweep, delayMs: number): void {
    if (this.stopping.signal.aborted) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const pass: Promise<void> = this.pass(sweep).finally(() => {
        this.passes.delete(pass);
        this.schedule(sweep, sweep.intervalMs);
      });
      this.passes.add(pass);
    }, delayMs);
    this.timers.add(timer);
  }

  private async pass(sweep: Sweep): Promise<void> {
    try {
      await sweep.sweep(this.now(), this.stopping.signal);
    } catch (error) {
      if (this.stopping.signal.aborted) return;
      this.logger.error(`Sweep ${sweep.name} failed; it runs again in ${sweep.intervalMs} ms`, { sweep: sweep.name, error: errorMessage(error) });
    }
  }
}
