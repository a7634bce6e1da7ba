import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { CHECKPOINT_EVERY, replayableOf } from '@access-ledger/audit';
import { EventStore } from '@access-ledger/event-store';
import { ReadStore } from '@access-ledger/read-store';
import { APP_CONFIG, AppConfig, EVENT_STORE, READ_STORE } from '@access-ledger/platform';
import { FoldCheckpoints } from './fold-checkpoints';

/** How often the keeper records how far it has read the log (and after each checkpoint it writes). */
const SAVE_EVERY_EVENTS = 10_000;
const SAVE_EVERY_MS = 1000;
/** Events between two turns given to the event loop while the keeper catches up. */
const YIELD_EVERY_EVENTS = 500;
const RETRY_AFTER_MS = 5000;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Writes fold checkpoints ahead of time, so that even the first state as of an instant of a long
 * stream reads and folds at most CHECKPOINT_EVERY events (docs/decisions.md, "Audit performance:
 * …"). It follows the log: when a replayable stream reaches a revision after which a checkpoint
 * is due (999, 1999, …), it writes that stream's missing checkpoints (FoldCheckpoints.keepUpTo).
 * Its position in the log is kept in the read store under a name that carries the checkpoints'
 * code version, so after a deploy that changes the domain code (every checkpoint unused) it reads
 * the log again from the start, in the background, and rebuilds them; otherwise it goes on where
 * it was. The state endpoints still write what they fold, so an answer never waits for it.
 * Runs where RUN_FOLD_CHECKPOINT_KEEPER says (by default where the consumers run, RUN_PROJECTIONS;
 * the production API sets it, since the projector cannot run it); its work is idempotent (upserts by position).
 */
@Injectable()
export class FoldCheckpointKeeper implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(FoldCheckpointKeeper.name);
  private readonly stop = new AbortController();
  private running: Promise<void> | null = null;
  /** Its checkpoint key in the read store: one per code version. */
  readonly name: string;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_STORE) private readonly reads: ReadStore,
    private readonly checkpoints: FoldCheckpoints,
  ) {
    this.name = `audit-fold-checkpoints@${checkpoints.version.slice(0, 16)}`;
  }

  onApplicationBootstrap(): void {
    if (!this.config.runFoldCheckpointKeeper) return;
    // In the background: start-up does not wait for a catch-up over the whole log.
    this.running = this.run();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stop.abort();
    await this.running;
  }

  private async run(): Promise<void> {
    const { signal } = this.stop;
    while (!signal.aborted) {
      try {
        await this.follow(signal);
      } catch (error) {
        if (signal.aborted) return;
        this.logger.warn(`Fold checkpoints not kept ahead for now (retried in ${RETRY_AFTER_MS} ms): ${error instanceof Error ? error.message : String(error)}`);
        await new Promise((resolve) => setTimeout(resolve, RETRY_AFTER_MS).unref());
      }
    }
  }

  private async follow(signal: AbortSignal): Promise<void> {
    let saved = await this.reads.getCheckpoint(this.name);
    let position = saved;
    let seen = 0;
    // One write at a time, of the latest position: after each checkpoint written, every SAVE_EVERY_EVENTS, and each second while it moved (a quiet log too).
    let writing: Promise<void> = Promise.resolve();
    const save = () => {
      writing = writing.then(async () => {
        if (position <= saved) return;
        const at = position;
        await this.reads.applyChanges(this.name, [], at);
        saved = at;
      });
      return writing;
    };
    const timer = setInterval(() => save().catch((error) => this.logger.warn(`Fold checkpoint keeper's position not saved: ${error instanceof Error ? error.message : String(error)}`)), SAVE_EVERY_MS);
    timer.unref();
    try {
      for await (const event of this.events.subscribeToAll({ fromPosition: saved + 1, signal })) {
        const replayable = (event.revision + 1) % CHECKPOINT_EVERY === 0 ? replayableOf(event.streamId) : undefined;
        const wrote = replayable ? await this.checkpoints.keepUpTo(replayable, event.streamId, event.revision) : 0;
        position = event.position;
        seen += 1;
        if (wrote > 0 || position - saved >= SAVE_EVERY_EVENTS) await save();
        if (seen % YIELD_EVERY_EVENTS === 0) await nextTurn();
      }
    } finally {
      clearInterval(timer);
      // Also when stopping: the stores close after this (beforeApplicationShutdown).
      await save();
    }
  }
}
