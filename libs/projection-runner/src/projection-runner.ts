import { RecordedEvent } from '@access-ledger/core';
import { Change, Document, Projection, projectBatch, touchedIds } from '@access-ledger/read-store';
import { progressChange } from './lag';
import { ParkedEvent, parkedEntry } from './parked';
import { retryDelayMs, errorMessage } from './retry';
import { SubscriptionRunner } from './subscription-runner';

interface Failure {
  readonly event: RecordedEvent;
  error: unknown;
  attempts: number;
}

/**
 * The projection with its own code's errors caught per event: an event whose `documentId` or
 * `evolve` throws is recorded in `failures` and, when its position is in `skip`, left out of
 * the fold altogether (it stamps no document). Store reads and writes are outside: their
 * errors are not caught here.
 */
function guarded<D extends Document>(projection: Projection<D>, skip: ReadonlySet<number>, failures: Map<number, unknown>): Projection<D> {
  return {
    ...projection,
    documentId: (event) => {
      if (skip.has(event.position) || !projection.handles.includes(event.type)) return null;
      try {
        return projection.documentId(event);
      } catch (error) {
        failures.set(event.position, error);
        return null;
      }
    },
    evolve: (doc, event) => {
      try {
        return projection.evolve(doc, event);
      } catch (error) {
        failures.set(event.position, error);
        return doc;
      }
    },
  };
}

/**
 * Runs each projection from its stored checkpoint, one batch per read-store transaction
 * (changes, progress and checkpoint together). Every event advances the checkpoint, handled or
 * not, so a client waiting for the position of its own write is never left waiting because that
 * event did not concern this read model.
 *
 * An event on which the projection's own code throws (a programming error) is tried again with
 * backoff, then parked and left out, and the projection goes on with the others; the other
 * events of the batch, those of the same document included, are applied as if it were not
 * there. A failing store read or write is retried for ever instead (see SubscriptionRunner).
 */
export class ProjectionRunner extends SubscriptionRunner<Projection<any>> {
  protected readonly kind = 'projection' as const;

  protected override async prepare(projection: Projection<any>): Promise<void> {
    await this.readStore.ensureCollection(projection.collection);
  }

  protected async handleBatch(projection: Projection<Document>, batch: RecordedEvent[], checkpoint: number, signal: AbortSignal): Promise<number> {
    const ids = touchedIds(guarded(projection, new Set(), new Map()), batch);
    // Read before the documents: a promote between this read and the batch's write refuses the batch, even when the rebuilt checkpoint equals ours.
    const generation = await this.readStore.generation(projection.collection.name);
    const current = ids.length > 0 ? await this.readStore.getMany<Document>(projection.collection.name, ids) : new Map<string, Document>();
    const skip = new Set<number>();
    const failures = new Map<number, Failure>();
    let changes: Change[];
    for (;;) {
      const errors = new Map<number, unknown>();
      changes = projectBatch(guarded(projection, skip, errors), current, batch);
      if (errors.size === 0) break;
      let pause = 0;
      for (const [position, error] of errors) {
        const failure = failures.get(position) ?? { event: batch.find((e) => e.position === position)!, error, attempts: 0 };
        failure.error = error;
        failure.attempts += 1;
        failures.set(position, failure);
        this.attemptFailed(projection, failure.event, failure.attempts, this.policy.maxAttempts, error);
        if (failure.attempts >= this.policy.maxAttempts) skip.add(position);
        else pause = Math.max(pause, retryDelayMs(this.policy, failure.attempts));
      }
      if (pause > 0) {
        await this.sleep(pause, signal);
        if (signal.aborted) return checkpoint;
      }
    }
    const last = batch[batch.length - 1];
    const parked: ParkedEvent[] = [...skip].map((position) => {
      const { event, error, attempts } = failures.get(position)!;
      return parkedEntry(projection.name, 'projection', event, errorMessage(error), attempts, this.now());
    });
    // Parked before the checkpoint passes them: a crash in between parks them again, never loses them.
    await this.parked.park(parked);
    for (const entry of parked) this.parkedLog(projection, failures.get(entry.position)!.event, entry.attempts, entry.error);
    await this.readStore.applyChanges(projection.name, [...changes, progressChange(projection.name, last)], last.position, {
      expectedCheckpoint: checkpoint,
      expectedGenerations: { [projection.collection.name]: generation },
    });
    return last.position;
  }
}
