import { Inject } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { deriveId, fold } from '@access-ledger/core';
import { AddUser, managesUsersOf, emailReservationDecider, emailReservationStream, normaliseEmail, userDecider, userStream } from '@access-ledger/directory';
import { EventStore, handleCommand } from '@access-ledger/event-store';
import { EVENT_STORE } from '../infrastructure/tokens';
import { RequestContext, commandContext } from '../http/request-context';
import { AddUserDto } from './directory.dto';
import { DirectoryAccess, DirectoryCaller, emailHash } from './directory-access';

export class AddUserCommand extends Command<{ id: string; position: number }> {
  constructor(readonly context: RequestContext, readonly caller: DirectoryCaller, readonly organisationId: string, readonly body: AddUserDto) {
    super();
  }
}

/**
 * Adds a user in three steps: decide (refusals happen before anything is written), reserve
 * the e-mail address in its own stream (`no_stream`: exactly one of many racing adds wins),
 * then write the user's stream. A retry with the same Idempotency-Key repeats none of it.
 */
@CommandHandler(AddUserCommand)
export class AddUserHandler implements ICommandHandler<AddUserCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    private readonly directory: DirectoryAccess,
  ) {}

  async execute({ context, caller, organisationId, body }: AddUserCommand) {
    const userId = deriveId('user', context.commandId);
    const stream = userStream(userId);
    const ctx = commandContext(context, { organisationId, roles: caller.rights ? [caller.rights.permissionLevel] : [] });
    const recorded = await this.events.readStream(stream);
    const earlier = recorded.filter((e) => e.metadata.commandId === context.commandId);
    if (earlier.length > 0) return { id: userId, position: earlier[earlier.length - 1].position };

    const organisation = await this.directory.organisation(organisationId);
    const command: AddUser = {
      type: 'AddUser',
      userId,
      organisationId,
      organisation,
      firstName: body.firstName,
      lastName: body.lastName,
      email: body.email,
      clinician: body.clinician,
      permissionLevel: body.permissionLevel,
      spoc: body.spoc ?? false,
      professional: body.professional ?? false,
      caller,
      now: context.now,
      // A lead administrator adding a user is one; otherwise count (a platform administrator adds only the first).
      activeLeadAdministrators: managesUsersOf(caller, organisationId) ? 1 : await this.directory.activeLeadAdministrators(organisationId),
    };
    userDecider.decide(command, fold(userDecider, recorded as never[]));

    const email = normaliseEmail(body.email);
    const reservation = emailReservationStream(emailHash(email));
    const holder = fold(emailReservationDecider, (await this.events.readStream(reservation)) as never[]);
    await handleCommand(
      this.events,
      emailReservationDecider,
      reservation,
      {
        type: 'ReserveEmail',
        email,
        userId,
        organisationId,
        organisationName: organisation.status === 'registered' ? organisation.name : '',
        holderExists: holder.status === 'reserved' ? (await this.directory.user(holder.userId)).state !== null : false,
        now: context.now,
      },
      ctx,
    );
    const result = await handleCommand(this.events, userDecider, stream, command, ctx);
    return { id: userId, position: result.position };
  }
}
