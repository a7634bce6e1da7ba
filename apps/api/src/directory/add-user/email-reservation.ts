import { Inject, Injectable } from '@nestjs/common';
import { CommandContext, fold } from '@access-ledger/core';
import { AddUser, EmailReservationState, ReserveEmail, emailReservationDecider, emailReservationStream, normaliseEmail } from '@access-ledger/directory';
import { EventStore, handleCommand } from '@access-ledger/event-store';
import { EVENT_STORE } from '@access-ledger/platform';
import { DirectoryAccess, emailHash } from '../directory-access';

/** The e-mail reservation step of adding a user: one stream per normalised address (`useremail-<sha256>`). */
@Injectable()
export class EmailReservations {
  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    private readonly directory: DirectoryAccess,
  ) {}

  /**
   * `check` refuses a taken address before anything is written (a plain conflict admits
   * nothing); `reserve` appends the reservation, and decides when two adds race for one address.
   */
  forAdd(command: AddUser, organisationName: string, ctx: CommandContext) {
    const email = normaliseEmail(command.email);
    const stream = emailReservationStream(emailHash(email));
    const reservation = async (holder: EmailReservationState): Promise<ReserveEmail> => ({
      type: 'ReserveEmail',
      email,
      userId: command.userId,
      organisationId: command.organisationId,
      organisationName,
      holderExists: holder.status === 'reserved' ? (await this.directory.user(holder.userId)).state !== null : false,
      now: command.now,
    });
    return {
      check: async () => {
        const holder = fold(emailReservationDecider, await this.events.readStream(stream));
        emailReservationDecider.decide(await reservation(holder), holder);
      },
      reserve: async () => {
        await handleCommand(this.events, emailReservationDecider, stream, reservation, ctx);
      },
    };
  }
}
