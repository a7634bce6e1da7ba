import { EventCatalogue } from './catalogue';
import { DomainEvent, RecordedEvent } from './messages';

/**
 * A decider: the whole behaviour of one kind of stream as three pure functions, and the
 * catalogue its stream's events are read through. `decide` may throw a DomainError to refuse
 * a command; it never reads a clock or generates ids: those arrive in the command.
 */
export interface Decider<Command, Event extends DomainEvent, State> {
  readonly initialState: () => State;
  readonly evolve: (state: State, event: Event) => State;
  readonly decide: (command: Command, state: State) => readonly Event[];
  /** The events this kind of stream holds: how stored ones are read back (checked, upcast) and which schema version new ones get. */
  readonly catalogue: EventCatalogue<Event>;
}

/** The state a stream's stored events give: each read through the decider's catalogue, then folded with `evolve`. */
export const fold = <Event extends DomainEvent, State>(
  decider: Pick<Decider<unknown, Event, State>, 'initialState' | 'evolve' | 'catalogue'>,
  recorded: Iterable<RecordedEvent>,
): State => foldOnto(decider, decider.initialState(), recorded);

/** `state` (folded from a stream's earlier events) carried on by its later `recorded` events: what `fold` gives for the whole stream. */
export const foldOnto = <Event extends DomainEvent, State>(
  decider: Pick<Decider<unknown, Event, State>, 'evolve' | 'catalogue'>,
  state: State,
  recorded: Iterable<RecordedEvent>,
): State => {
  for (const event of recorded) state = decider.evolve(state, decider.catalogue.parse(event));
  return state;
};
