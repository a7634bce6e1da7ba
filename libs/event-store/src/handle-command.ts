import {
  CommandContext,
  ConflictError,
  Decider,
  DomainEvent,
  MalformedEventError,
  NewEvent,
  RecordedEvent,
  StaleVersionError,
  eventIdFor,
} from '@access-ledger/core';
import { EventStore, WrongExpectedRevisionError } from './event-store';

export interface HandleCommandOptions<Event extends DomainEvent = DomainEvent, State = unknown> {
  /** The stream revision the client acted on (If-Match); a different current revision -> 412. */
  readonly expectedVersion?: number;
  /** How often to re-read and re-decide after losing a race to another writer. */
  readonly retries?: number;
  /**
   * Runs after each decision that produces events and before they are appended: the place to
   * have a change admitted by another consistency boundary first (e.g. the organisation's lead
   * administrators). Throwing refuses the command; nothing of this stream is written.
   */
  readonly beforeAppend?: (decision: { readonly events: readonly Event[]; readonly state: State; readonly revision: number }) => Promise<void>;
}

export interface CommandResult<State> {
  readonly streamId: string;
  /** Revision of the stream after the command: the resource's new version (ETag). */
  readonly revision: number;
  /** Global position of the last event written (or of the command's earlier events when replayed). */
  readonly position: number;
  readonly events: readonly DomainEvent[];
  readonly state: State;
}

/** `schemaVersion`: the version the decider's catalogue names for the event's type (the shape this code writes). */
const toNewEvent = (streamId: string, event: DomainEvent, index: number, context: CommandContext, schemaVersion: number): NewEvent => ({
  eventId: eventIdFor(context.commandId, streamId, index),
  type: event.type,
  data: event.data,
  metadata: {
    occurredAt: context.now,
    actor: context.actor,
    correlationId: context.correlationId,
    causationId: context.causationId,
    commandId: context.commandId,
    schemaVersion,
  },
});

/**
 * The one command-handling function: read the stream, read each event through the decider's
 * catalogue (checked, upcast to the current shape) and fold it with `evolve`, `decide`, append
 * with the revision that was read, each event stamped with its type's current schema version.
 * A command already recorded (same commandId, e.g. a client retry) returns its earlier outcome
 * and appends nothing. Losing a race to another writer re-runs the decision on the new state, so the loser gets the domain's
 * own answer (e.g. "already approved") rather than a bare conflict.
 */
export async function handleCommand<Command, Event extends DomainEvent, State>(
  store: EventStore,
  decider: Decider<Command, Event, State>,
  streamId: string,
  /** The command, or how to complete it from the state read (e.g. with facts about the users the state names). */
  command: Command | ((state: State) => Promise<Command>),
  context: CommandContext,
  options: HandleCommandOptions<Event, State> = {},
): Promise<CommandResult<State>> {
  const retries = options.retries ?? 3;
  for (let attempt = 0; ; attempt += 1) {
    const recorded = (await store.readStream(streamId)).map(decider.catalogue.parse);
    const state = recorded.reduce(decider.evolve, decider.initialState());
    const revision = recorded.length - 1;
    const earlier = recorded.filter((e) => e.metadata.commandId === context.commandId);
    if (earlier.length > 0) return replayed(streamId, earlier, state);
    if (options.expectedVersion !== undefined && options.expectedVersion !== revision) {
      throw new StaleVersionError(options.expectedVersion, revision);
    }
    const events = decider.decide(typeof command === 'function' ? await (command as (state: State) => Promise<Command>)(state) : command, state);
    if (events.length === 0) {
      return { streamId, revision, position: recorded.at(-1)?.position ?? 0, events, state };
    }
    await options.beforeAppend?.({ events, state, revision });
    const toAppend = events.map((event, i) => toNewEvent(streamId, event, i, context, decider.catalogue.schemaVersion(event.type)));
    // Never write what this code could not read back: an event its own catalogue refuses would
    // make the stream unreadable for every later command, projection and audit replay.
    toAppend.forEach((event, i) => {
      try {
        decider.catalogue.parse({ ...event, streamId, revision: revision + 1 + i, position: 0 });
      } catch (error) {
        const reason = error instanceof MalformedEventError ? error.reason : String(error);
        throw new Error(`Refused to append ${event.type} to ${streamId}: ${decider.catalogue.name} could not read it back (${reason}); nothing was appended.`);
      }
    });
    try {
      const appended = await store.appendToStream(streamId, toAppend, { expectedRevision: revision < 0 ? 'no_stream' : revision });
      return {
        streamId,
        revision: appended.nextExpectedRevision,
        position: appended.position,
        events,
        state: events.reduce(decider.evolve, state),
      };
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
      if (options.expectedVersion !== undefined) throw new StaleVersionError(options.expectedVersion, error.actual);
      if (attempt >= retries) {
        throw new ConflictError('concurrent-modification', 'The resource was changed by another request at the same time; retry.');
      }
    }
  }
}

const replayed = <State>(streamId: string, earlier: readonly RecordedEvent[], state: State): CommandResult<State> => {
  const last = earlier[earlier.length - 1];
  return { streamId, revision: last.revision, position: last.position, events: earlier, state };
};
