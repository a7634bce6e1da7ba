import { Inject, Injectable } from '@nestjs/common';
import { CommandContext, DomainEvent } from '@access-ledger/core';
import { ParticipantCommand, ParticipantEvent, ParticipantState, participantDecider, participantStream } from '@access-ledger/care-access';
import { CommandResult, EventStore, handleCommand } from '@access-ledger/event-store';
import { EVENT_STORE } from '@access-ledger/platform';

/**
 * A participant's command on their stream: the one consistency boundary of their consent
 * (libs/care-access/src/events.ts). Every results request is appended there too, so a
 * professional's quick succession of requests contends with itself: more attempts than
 * elsewhere before a 409, each re-deciding on what the others appended.
 */
const ATTEMPTS_ON_CONTENTION = 10;

@Injectable()
export class ParticipantCommands {
  constructor(@Inject(EVENT_STORE) private readonly events: EventStore) {}

  run(
    participantId: string,
    command: ParticipantCommand | ((state: ParticipantState) => Promise<ParticipantCommand>),
    context: CommandContext,
  ): Promise<CommandResult<ParticipantState>> {
    return handleCommand(this.events, participantDecider, participantStream(participantId), command, context, { retries: ATTEMPTS_ON_CONTENTION });
  }
}

/** The event of that type a participant command wrote (or had written, when replayed). */
export const writtenEvent = <T extends ParticipantEvent['type']>(events: readonly DomainEvent[], type: T): Extract<ParticipantEvent, { type: T }> | undefined =>
  events.find((event) => event.type === type) as Extract<ParticipantEvent, { type: T }> | undefined;
