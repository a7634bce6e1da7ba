import { EventStore, toArray } from '@access-ledger/event-store';
import { CheckpointMovedError, Document, Projection, ReadStore, projectBatch, touchedIds } from '@access-ledger/read-store';
import { batched } from './batched';

export interface RunnerLogger {
  log(message: string, context?: Record<string, unknown>): void;
  warn(message: string, context?: Record<string, unknown>): void;
  error(message: string, context?: Record<string, unknown>): void;
}

export type ProjectionState = 'starting' | 'running' | 'retrying' | 'stopped';

export interface ProjectionStatus {
  readonly name: string;
  readonly state: ProjectionState;
  /** Last position processed (-1: nothing yet). */
  readonly checkpoint: number;
  readonly head: number;
  /** Positions between the checkpoint and the head of the log. */
  readonly lagEvents: number;
  /** Age of the oldest event not yet processed; 0 when caught up. */
  readonly lagSeconds: number;
  readonly lastError?: string;
}

interface Running {
  state: ProjectionState;
  checkpoint: number;
  lastError?: string;
}

export interface ProjectionRunnerOptions {
  readonly batchSize?: number;
  readonly retryDelayMs?: number;
  readonly logger?: RunnerLogger;
  /** Called after each applied batch (metrics). */
  readonly onBatch?: (projection: string, events: number) => void;
}

const silent: RunnerLogger = { log: () => undefined, warn: () => undefined, error: () => undefined };
const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });

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
 * Runs each projection from its stored checkpoint on the store's $all subscription, one
 * batch per read-store transaction (changes and checkpoint together). Every event advances
 * the checkpoint, handled or not, so a client waiting for the position of its own write is
 * never left waiting because that event did not concern this read model.
 */
export class ProjectionRunner {
  private readonly controller = new AbortController();
  private readonly running = new Map<string, Running>();
  private loops: Promise<void>[] = [];
  private readonly logger: RunnerLogger;

  constructor(
    private readonly events: EventStore,
    private readonly readStore: ReadStore,
    private readonly projections: readonly Projection<any>[],
    private readonly options: ProjectionRunnerOptions = {},
  ) {
    this.logger = options.logger ?? silent;
  }

  async start(): Promise<void> {
    for (const projection of this.projections) {
      await this.readStore.ensureCollection(projection.collection);
      this.running.set(projection.name, { state: 'starting', checkpoint: await this.readStore.getCheckpoint(projection.name) });
    }
    this.loops = this.projections.map((p) => this.loop(p));
  }

  async stop(): Promise<void> {
    this.controller.abort();
    await Promise.all(this.loops);
    for (const r of this.running.values()) r.state = 'stopped';
  }

  private async loop(projection: Projection<Document>): Promise<void> {
    const status = this.running.get(projection.name)!;
    const { signal } = this.controller;
    while (!signal.aborted) {
      try {
        let checkpoint = await this.readStore.getCheckpoint(projection.name);
        status.checkpoint = checkpoint;
        status.state = 'running';
        status.lastError = undefined;
        // Its own signal: when a batch fails, ending the subscription lets the pending read return at once,
        // instead of holding the loop until some other event is appended.
        await withSubscription(signal, async (subscriptionSignal, end) => {
          const subscription = this.events.subscribeToAll({ fromPosition: checkpoint + 1, signal: subscriptionSignal });
          for await (const batch of batched(subscription, this.options.batchSize ?? 500)) {
            try {
              const ids = touchedIds(projection, batch);
              const current = ids.length > 0 ? await this.readStore.getMany<Document>(projection.collection.name, ids) : new Map();
              const changes = projectBatch(projection, current, batch);
              const last = batch[batch.length - 1].position;
              await this.readStore.applyChanges(projection.name, changes, last, { expectedCheckpoint: checkpoint });
              checkpoint = last;
              status.checkpoint = last;
              this.options.onBatch?.(projection.name, batch.length);
            } catch (error) {
              end();
              throw error;
            }
          }
        });
      } catch (error) {
        if (signal.aborted) break;
        if (error instanceof CheckpointMovedError) {
          this.logger.log(`Projection ${projection.name}: checkpoint moved to ${error.actual} (rebuild promoted?), resuming from there`);
          continue;
        }
        status.state = 'retrying';
        status.lastError = error instanceof Error ? error.message : String(error);
        this.logger.error(`Projection ${projection.name} failed, retrying`, { error: status.lastError });
        await sleep(this.options.retryDelayMs ?? 1000, signal);
      }
    }
  }

  async status(): Promise<ProjectionStatus[]> {
    const head = await this.events.headPosition();
    return Promise.all(
      this.projections.map(async (projection) => {
        const r = this.running.get(projection.name) ?? { state: 'stopped' as const, checkpoint: await this.readStore.getCheckpoint(projection.name) };
        return { name: projection.name, state: r.state, head, ...(await lagOf(this.events, r.checkpoint, head)), lastError: r.lastError };
      }),
    );
  }
}

/** How far a checkpoint is behind the head, in positions and in the age of the first event not processed. */
export async function lagOf(events: EventStore, checkpoint: number, head: number) {
  if (checkpoint >= head) return { checkpoint, lagEvents: 0, lagSeconds: 0 };
  const [next] = await toArray(events.readAll({ fromPosition: checkpoint + 1, maxCount: 1 }));
  const lagSeconds = next ? Math.max(0, (Date.now() - Date.parse(next.metadata.occurredAt)) / 1000) : 0;
  return { checkpoint, lagEvents: head - checkpoint, lagSeconds };
}
