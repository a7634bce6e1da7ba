import { Decider, DomainEvent, RecordedEvent } from '@access-ledger/core';
import { Change, changesBetween } from './changes';

/** What replaying a stream needs of its decider: the same initial state, `evolve` and catalogue as live. */
export type Replayable<E extends DomainEvent = DomainEvent, S = unknown> = Pick<Decider<unknown, E, S>, 'initialState' | 'evolve' | 'catalogue'>;

/** One event of an entity's history as an auditor reads it. */
export interface TimelineEntry {
  readonly position: number;
  readonly revision: number;
  /** When it happened: the envelope's `occurredAt`. */
  readonly at: string;
  readonly type: string;
  /** Who did it, as authorised for that call. */
  readonly actor: { readonly id: string; readonly email: string; readonly organisationId: string | null };
  /** The catalogue's one sentence about it. */
  readonly summary: string;
  /** The fields of the folded state it changed (changes.ts says how they are named). */
  readonly changes: readonly Change[];
  /** The reason in the event's data, when it has one. */
  readonly reason?: string;
  readonly correlationId: string;
}

const reasonOf = (data: unknown): { reason?: string } => {
  const reason = typeof data === 'object' && data !== null ? (data as { reason?: unknown }).reason : undefined;
  return typeof reason === 'string' ? { reason } : {};
};

/** A stream's timeline, and the state its last event left (the same fold). */
export interface Timeline<S> {
  readonly entries: readonly TimelineEntry[];
  readonly state: S;
}

/**
 * Every event of a stream, oldest first, read through the decider's catalogue and folded with its
 * `evolve`: each with its sentence and the fields it changed.
 */
export function timelineOf<E extends DomainEvent, S>(replayable: Replayable<E, S>, recorded: Iterable<RecordedEvent>): Timeline<S> {
  const entries: TimelineEntry[] = [];
  let state = replayable.initialState();
  for (const stored of recorded) {
    const event = replayable.catalogue.parse(stored);
    const next = replayable.evolve(state, event);
    const { actor } = event.metadata;
    entries.push({
      position: event.position,
      revision: event.revision,
      at: event.metadata.occurredAt,
      type: event.type,
      actor: { id: actor.id, email: actor.email, organisationId: actor.organisationId ?? null },
      summary: replayable.catalogue.describe(event),
      changes: changesBetween(state, next),
      ...reasonOf(event.data),
      correlationId: event.metadata.correlationId,
    });
    state = next;
  }
  return { entries, state };
}

/** The state a stream had at an instant, and the revision of the last event folded into it. */
export interface StateAt<S> {
  readonly state: S;
  readonly revision: number;
  readonly position: number;
}

/**
 * The stream as it stood at `at` (an ISO instant): its events folded, in stream order, up to the
 * first one that occurred after `at`. The fold stops there rather than skipping it, so the state
 * is one the stream really had: a command that lost a race and was decided again is appended
 * after the winner while keeping the time of its first decision, and folding it without the
 * winner would give a state that never existed. Null when the stream's first event occurred
 * after `at` (or it has none).
 */
export function stateAt<E extends DomainEvent, S>(replayable: Replayable<E, S>, recorded: Iterable<RecordedEvent>, at: string): StateAt<S> | null {
  return stateAtFrom(replayable, null, recorded, at, Infinity).folded;
}

/**
 * A fold checkpoint (a snapshot): a stream's state after its events up to `revision`, kept so that
 * a state as of an instant need not fold from the stream's first event. `latestOccurredAt` is the
 * latest `occurredAt` among the events folded into it (not the last one's: times need not rise
 * within a stream), so by the prefix rule of `stateAt` the checkpoint is on the way to every
 * instant at or after it, and to none before it.
 *
 * It names the event it was taken after by id and `streamHash`: the stream chain covers every
 * event up to it, so a stream whose events were changed and chained again does not match it any
 * more (`checkpointMatches`), and the state is then folded from the start.
 */
export interface FoldCheckpoint<S = unknown> {
  readonly revision: number;
  readonly position: number;
  readonly eventId: string;
  readonly streamHash: string;
  readonly latestOccurredAt: string;
  readonly state: S;
}

/** A checkpoint every this many events of a stream: a state as of any instant then folds at most this many events after one. */
export const CHECKPOINT_EVERY = 1000;

/** Whether the checkpoint is on the way to the state as of `at` (every event folded into it occurred at or before `at`). */
export const checkpointServes = (checkpoint: Pick<FoldCheckpoint, 'latestOccurredAt'>, at: string): boolean => Date.parse(checkpoint.latestOccurredAt) <= Date.parse(at);

/** Whether the stored event is the one the checkpoint was taken after (same id, same stream hash). */
export const checkpointMatches = (checkpoint: FoldCheckpoint, stored: RecordedEvent): boolean =>
  stored.revision === checkpoint.revision && stored.eventId === checkpoint.eventId && stored.metadata.streamHash === checkpoint.streamHash;

/** A replay as of an instant that started from a checkpoint (or from the start), and the checkpoints it passed on the way. */
export interface CheckpointedStateAt<S> {
  readonly folded: StateAt<S> | null;
  /** Taken after every event whose revision + 1 is a multiple of `every`, when it has a stream hash. */
  readonly checkpoints: readonly FoldCheckpoint<S>[];
}

/**
 * `stateAt`, going on from a checkpoint: `recorded` are the stream's events after
 * `from.revision` (all of them when `from` is null), and `from` must serve `at`
 * (checkpointServes). The answer is the one `stateAt` gives on the whole stream (a spec checks
 * it on every instant and every checkpoint), because the events folded into the checkpoint all
 * occurred by `at` and `evolve` is pure. On the way it takes the checkpoints that later replays
 * can start from.
 */
export function stateAtFrom<E extends DomainEvent, S>(
  replayable: Replayable<E, S>,
  from: FoldCheckpoint<S> | null,
  recorded: Iterable<RecordedEvent>,
  at: string,
  /** Infinity: none. */
  every = CHECKPOINT_EVERY,
): CheckpointedStateAt<S> {
  const limit = Date.parse(at);
  let state = from ? from.state : replayable.initialState();
  let last: Pick<RecordedEvent, 'revision' | 'position'> | null = from;
  let latest = from ? Date.parse(from.latestOccurredAt) : -Infinity;
  let latestOccurredAt = from?.latestOccurredAt ?? '';
  const checkpoints: FoldCheckpoint<S>[] = [];
  for (const stored of recorded) {
    const occurred = Date.parse(stored.metadata.occurredAt);
    if (occurred > limit) break;
    state = replayable.evolve(state, replayable.catalogue.parse(stored));
    last = stored;
    if (occurred > latest) [latest, latestOccurredAt] = [occurred, stored.metadata.occurredAt];
    const streamHash = stored.metadata.streamHash;
    if ((stored.revision + 1) % every === 0 && typeof streamHash === 'string') {
      checkpoints.push({ revision: stored.revision, position: stored.position, eventId: stored.eventId, streamHash, latestOccurredAt, state });
    }
  }
  return { folded: last === null ? null : { state, revision: last.revision, position: last.position }, checkpoints };
}
