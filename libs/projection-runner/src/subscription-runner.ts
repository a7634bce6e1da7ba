import { RecordedEvent } from '@access-ledger/core';
import { EventStore } from '@access-ledger/event-store';
import { CheckpointMovedError, ReadStore } from '@access-ledger/read-store';
import { batched } from './batched';
import { CONSUMER_PROGRESS, ConsumerLag, LagMonitor } from './lag';
import { ConsumerKind, PARKED_EVENTS, ParkedEvents, RESERVED_CONSUMER_NAMES } from './parked';
import { DEFAULT_RETRY, RetryPolicy, Sleep, errorMessage, sleep } from './retry';

export interface RunnerLogger {
  log(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

export type ConsumerState = 'starting' | 'running' | 'retrying' | 'stopped';

export interface ConsumerStatus extends ConsumerLag {
  readonly kind: ConsumerKind;
  readonly state: ConsumerState;
  /** The last error: of a store write (the batch is being retried) or of an event's attempt. */
  readonly lastError?: string;
}

export interface RunnerOptions {
  readonly batchSize?: number;
  /** Pause before a failed batch (a store error) is tried again; such batches are retried for ever. */
  readonly retryDelayMs?: number;
  /** Attempts per event before it is parked, and the pauses between them. */
  readonly retry?: Partial<RetryPolicy>;
  readonly logger?: RunnerLogger;
  /** Called after each applied batch (metrics). */
  readonly onBatch?: (consumer: string, events: number) => void;
  /** Replaces the timer between attempts (tests record the pauses asked for). */
  readonly sleep?: Sleep;
  /** The clock for parked entries. */
  readonly now?: () => Date;
}

interface Running {
  state: ConsumerState;
  checkpoint: number;
  lastError?: string;
}

const silent: RunnerLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };

/** Creates the collections the runners keep beside the consumers' own: parked events and progress. */
export async function ensureRunnerCollections(readStore: ReadStore): Promise<void> {
  await readStore.ensureCollection(PARKED_EVENTS);
  await readStore.ensureCollection(CONSUMER_PROGRESS);
}

/** Refuses two consumers with one name (they would share a checkpoint) and the names the runners use themselves. */
export function checkConsumerNames(names: readonly string[]): void {
  const seen = new Set<string>();
  for (const name of names) {
    if (RESERVED_CONSUMER_NAMES.includes(name)) throw new Error(`Consumer name ${name} is reserved by the runners; rename the projection or reactor`);
    if (seen.has(name)) throw new Error(`Two projections or reactors are named ${name}; each needs its own name (it is its checkpoint key)`);
    seen.add(name);
  }
}

/** Runs `body` with a signal of its own that also follows `parent`; `end` aborts only this one. */
async function withSubscription(parent: AbortSignal, body: (signal: AbortSignal, end: () => void) => Promise<void>): Promise<void> {
  const own = new AbortController();
  const follow = () => own.abort();
  parent.addEventListener('abort', follow, { once: true });
  try {
    await body(own.signal, follow);
  } finally {
    parent.removeEventListener('abort', follow);
    own.abort();
  }
}

/**
 * What projections and reactors share: each consumer runs from its stored checkpoint on the
 * store's $all subscription (with its own abort signal), in batches. A batch is handed to
 * `handleBatch`, which deals with its events (an event that keeps failing is parked there, after
 * the bounded attempts) and writes the new checkpoint with `expectedCheckpoint`. Anything that
 * escapes it is a store error (the read store is down or locked): not the events' fault, so
 * the batch is retried from the stored checkpoint, for ever, `retryDelayMs` apart. A moved
 * checkpoint (a promoted rebuild, a second runner) resumes from where it now is.
 */
export abstract class SubscriptionRunner<C extends { readonly name: string }> {
  protected abstract readonly kind: ConsumerKind;
  protected readonly defaultBatchSize: number = 500;
  protected readonly logger: RunnerLogger;
  protected readonly policy: RetryPolicy;
  protected readonly parked: ParkedEvents;
  protected readonly sleep: Sleep;
  protected readonly now: () => Date;
  private readonly controller = new AbortController();
  private readonly running = new Map<string, Running>();
  private readonly lagMonitor: LagMonitor;
  private loops: Promise<void>[] = [];

  constructor(
    protected readonly events: EventStore,
    protected readonly readStore: ReadStore,
    protected readonly consumers: readonly C[],
    protected readonly options: RunnerOptions = {},
  ) {
    checkConsumerNames(consumers.map((c) => c.name));
    this.logger = options.logger ?? silent;
    this.policy = { ...DEFAULT_RETRY, ...options.retry };
    this.parked = new ParkedEvents(readStore);
    this.sleep = options.sleep ?? sleep;
    this.now = options.now ?? (() => new Date());
    this.lagMonitor = new LagMonitor(events, readStore);
  }

  /** Deals with one batch whose events follow `checkpoint`; returns the checkpoint it wrote (lower than the batch's end only when stopped). */
  protected abstract handleBatch(consumer: C, batch: RecordedEvent[], checkpoint: number, signal: AbortSignal): Promise<number>;

  /** Whatever a consumer needs before its loop starts (its collection). */
  protected async prepare(_consumer: C): Promise<void> {}

  async start(): Promise<void> {
    await ensureRunnerCollections(this.readStore);
    for (const consumer of this.consumers) {
      await this.prepare(consumer);
      this.running.set(consumer.name, { state: 'starting', checkpoint: await this.readStore.getCheckpoint(consumer.name) });
    }
    this.loops = this.consumers.map((c) => this.loop(c));
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await Promise.all(this.loops);
    for (const r of this.running.values()) r.state = 'stopped';
  }

  async status(): Promise<ConsumerStatus[]> {
    const lag = await this.lagMonitor.lag(this.consumers.map((c) => c.name));
    return lag.map((l) => {
      const r = this.running.get(l.name);
      return { ...l, kind: this.kind, state: r?.state ?? 'stopped', lastError: r?.lastError };
    });
  }

  /** Records the error of one attempt at an event (status and log), before a retry or parking. */
  protected attemptFailed(consumer: C, event: RecordedEvent, attempt: number, maxAttempts: number, error: unknown): void {
    const message = errorMessage(error);
    this.running.get(consumer.name)!.lastError = `position ${event.position}: ${message}`;
    const context = { position: event.position, eventId: event.eventId, type: event.type, attempt, maxAttempts, error: message };
    this.logger.warn(`${this.label(consumer)}: attempt ${attempt} of ${maxAttempts} at position ${event.position} failed`, context);
  }

  protected parkedLog(consumer: C, event: RecordedEvent, attempts: number, error: string): void {
    this.logger.error(`${this.label(consumer)}: parked the event at position ${event.position} after ${attempts} attempts and went on; retry it with npm run reactors:retry -- ${consumer.name} ${event.position}`, {
      position: event.position,
      eventId: event.eventId,
      type: event.type,
      error,
    });
  }

  private label(consumer: C): string {
    return `${this.kind === 'projection' ? 'Projection' : 'Reactor'} ${consumer.name}`;
  }

  private async loop(consumer: C): Promise<void> {
    const status = this.running.get(consumer.name)!;
    const { signal } = this.controller;
    while (!signal.aborted) {
      try {
        let checkpoint = await this.readStore.getCheckpoint(consumer.name);
        status.checkpoint = checkpoint;
        status.state = 'running';
        status.lastError = undefined;
        // Its own signal: when a batch fails, ending the subscription lets the pending read return at once,
        // instead of holding the loop until some other event is appended.
        await withSubscription(signal, async (subscriptionSignal, end) => {
          const subscription = this.events.subscribeToAll({ fromPosition: checkpoint + 1, signal: subscriptionSignal });
          for await (const batch of batched(subscription, this.options.batchSize ?? this.defaultBatchSize)) {
            try {
              checkpoint = await this.handleBatch(consumer, batch, checkpoint, subscriptionSignal);
              status.checkpoint = checkpoint;
              this.options.onBatch?.(consumer.name, batch.length);
            } catch (error) {
              end();
              throw error;
            }
            if (subscriptionSignal.aborted) return;
          }
        });
      } catch (error) {
        if (signal.aborted) break;
        if (error instanceof CheckpointMovedError) {
          this.logger.log(`${this.label(consumer)}: checkpoint moved to ${error.actual} (rebuild promoted?), resuming from there`);
          continue;
        }
        status.state = 'retrying';
        status.lastError = errorMessage(error);
        this.logger.error(`${this.label(consumer)} failed to store a batch, retrying`, { error: status.lastError });
        await sleep(this.options.retryDelayMs ?? 1000, signal);
      }
    }
  }
}
