import { Decider } from '../decider';
import { DomainError } from '../errors';
import { DomainEvent } from '../messages';

/**
 * given(events).when(command).then(events) / .thenThrows(code): a decider test reads as
 * its rule. Pure: no store, no clock.
 */
export const DeciderSpecification = {
  for<Command, Event extends DomainEvent, State>(decider: Decider<Command, Event, State>) {
    return (given: readonly Event[] = []) => ({
      when: (command: Command) => {
        const run = () => {
          const state = given.reduce(decider.evolve, decider.initialState());
          return decider.decide(command, state);
        };
        return {
          then: (expected: readonly Event[]) => expect(run()).toEqual(expected),
          thenNothingHappens: () => expect(run()).toEqual([]),
          thenThrows: (code: string, kind?: DomainError['kind']) => {
            let error: unknown;
            try {
              run();
            } catch (e) {
              error = e;
            }
            expect(error).toBeInstanceOf(DomainError);
            expect((error as DomainError).code).toBe(code);
            if (kind) expect((error as DomainError).kind).toBe(kind);
          },
        };
      },
    });
  },
};
