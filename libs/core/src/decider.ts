import { DomainEvent } from './messages';

/**
 * A decider: the whole behaviour of one kind of stream as three pure functions.
 * `decide` may throw a DomainError to refuse a command; it never reads a clock or
 * generates ids: those arrive in the command.
 */
export interface Decider<Command, Event extends DomainEvent, State> {
  readonly initialState: () => State;
  readonly evolve: (state: State, event: Event) => State;
  readonly decide: (command: Command, state: State) => readonly Event[];
}

export const fold = <Event extends DomainEvent, State>(
  decider: Pick<Decider<unknown, Event, State>, 'initialState' | 'evolve'>,
  events: Iterable<Event>,
): State => {
  let state = decider.initialState();
  for (const event of events) state = decider.evolve(state, event);
  return state;
};
