import { RecordedEvent } from '@access-ledger/core';
import { progressChange } from './lag';
import { parkedEntry } from './parked';
import { RetryPolicy, errorMessage, retryDelayMs } from './retry';
import { SubscriptionRunner } from './subscription-runner';

export interface ReactionContext {
  /** 1 on the first delivery to this runner; counts up with each retry of the same event. */
  readonly attempt: number;
  /** Aborted when the runner stops: give up; the event is delivered again after the restart. */
  readonly signal: AbortSignal;
}

/**
 * A durable reaction to events: a command, a message to another system, a call. It runs from
 * the log with its own checkpoint, like a projection, but does something instead of keeping a
 * read model.
 *
 * Delivery is **at least once**: an event may be delivered again after a restart, a failed
 * checkpoint write or a retry of a failed attempt (whose effect may have happened before it
 * threw). So `react` must be **idempotent by `event.eventId`**: derive the ids of whatever it
 * causes from it (a command id, an event id, an idempotency key of the downstream API) so that
 * doing it twice does it once. Throwing counts as a failed attempt: it is retried with backoff,
 * and after the last attempt the event is parked and the reactor goes on with the next one.
 */
export interface Reactor {
  /** Its checkpoint key and the name operators use (`npm run reactors:retry -- <name> <position>`); unique among projections and reactors. */
  readonly name: string;
  /** The event types it reacts to; the others only advance its checkpoint. */
  readonly handles: readonly string[];
  react(event: RecordedEvent, context: ReactionContext): Promise<void>;
  /** Its own attempts and pauses, instead of the runner's. */
  readonly retry?: Partial<RetryPolicy>;
}

/**
 * Runs reactors as the ProjectionRunner runs projections: from each one's checkpoint on the
 * $all subscription, in batches; the events of a batch one after the other, each one's attempts
 * with backoff, then the checkpoint (and progress) written once for the batch. A failing store
 * write (checkpoint, parked entry) is retried for ever from the stored checkpoint, which
 * delivers the batch's events again: at least once.
 */
export class ReactorRunner extends SubscriptionRunner<Reactor> {
  protected readonly kind = 'reactor' as const;

  /** Smaller batches than projections: a batch's effects are checkpointed together. */
  protected override readonly defaultBatchSize = 100;

  protected async handleBatch(reactor: Reactor, batch: RecordedEvent[], checkpoint: number, signal: AbortSignal): Promise<number> {
    let done: RecordedEvent | undefined;
    for (const event of batch) {
      if (reactor.handles.includes(event.type) && !(await this.deliver(reactor, event, signal))) break;
      done = event;
    }
    if (!done) return checkpoint;
    await this.readStore.applyChanges(reactor.name, [progressChange(reactor.name, done)], done.position, { expectedCheckpoint: checkpoint });
    return done.position;
  }

  /** Tries the event until it succeeds or is parked (true), or the runner stops (false). */
  private async deliver(reactor: Reactor, event: RecordedEvent, signal: AbortSignal): Promise<boolean> {
    const policy = { ...this.policy, ...reactor.retry };
    for (let attempt = 1; ; attempt += 1) {
      try {
        await reactor.react(event, { attempt, signal });
        return true;
      } catch (error) {
        if (signal.aborted) return false;
        this.attemptFailed(reactor, event, attempt, policy.maxAttempts, error);
        if (attempt >= policy.maxAttempts) {
          const entry = parkedEntry(reactor.name, 'reactor', event, errorMessage(error), attempt, this.now());
          await this.parked.park([entry]);
          this.parkedLog(reactor, event, attempt, entry.error);
          return true;
        }
        await this.sleep(retryDelayMs(policy, attempt), signal);
        if (signal.aborted) return false;
      }
    }
  }
}
