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
  const limit = Date.parse(at);
  let state = replayable.initialState();
  let last: RecordedEvent | null = null;
  for (const stored of recorded) {
    if (Date.parse(stored.metadata.occurredAt) > limit) break;
    state = replayable.evolve(state, replayable.catalogue.parse(stored));
    last = stored;
  }
  return last === null ? null : { state, revision: last.revision, position: last.position };
}
