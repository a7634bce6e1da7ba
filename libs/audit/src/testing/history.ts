import { Actor, Decider, DomainEvent, RecordedEvent, fold } from '@access-ledger/core';

let positions = 1000;

/**
 * A stream's history for audit specs, written the way the live system writes it: each command
 * decided by the context's own decider on the state its stream folds to so far, and each event
 * stored with an envelope (actor, time, correlation), as handleCommand would.
 */
export function historyOf<C, E extends DomainEvent, S>(decider: Decider<C, E, S>, streamId: string) {
  const recorded: RecordedEvent[] = [];
  const api = {
    recorded,
    /** Decides `command` (which carries `at` as its `now`) and records what it decides. */
    then(command: C, at: string, actor: Partial<Actor> = {}) {
      const events = decider.decide(command, fold(decider, recorded));
      if (events.length === 0) throw new Error(`${streamId}: the command decided nothing`);
      for (const event of events) {
        positions += 1;
        recorded.push({
          eventId: `e-${positions}`,
          type: event.type,
          streamId,
          revision: recorded.length,
          position: positions,
          data: event.data,
          metadata: {
            occurredAt: at,
            actor: { id: 'sub-actor', email: 'actor@example.org', organisationId: null, roles: [], ...actor },
            correlationId: `correlation-${positions}`,
            causationId: `command-${positions}`,
            commandId: `command-${positions}`,
            schemaVersion: decider.catalogue.schemaVersion(event.type),
          },
        });
      }
      return api;
    },
  };
  return api;
}
