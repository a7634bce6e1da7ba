import { Inject } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { CommandContext, deriveId, fold } from '@access-ledger/core';
import {
  AddUser,
  EmailReservationState,
  ReserveEmail,
  emailReservationDecider,
  emailReservationStream,
  isPlatformAdmin,
  managesUsersOf,
  normaliseEmail,
  userDecider,
  userStream,
} from '@access-ledger/directory';
import { EventStore, handleCommand } from '@access-ledger/event-store';
import { commandContext, EVENT_STORE, RequestContext } from '@access-ledger/platform';
import { AddUserDto } from './directory.dto';
import { DirectoryAccess, DirectoryCaller, emailHash } from './directory-access';
import { LeadAdministrators } from './lead-administrators';

export class AddUserCommand extends Command<{ id: string; position: number }> {
  constructor(readonly context: RequestContext, readonly caller: DirectoryCaller, readonly organisationId: string, readonly body: AddUserDto) {
    super();
  }
}

/**
 * Adds a user through the generic command handler. Before the user's stream is written
 * (`no_stream`), the decision is admitted by the organisation when the user is a lead
 * administrator, and the e-mail address is reserved in its own stream (`no_stream`: of many
 * racing adds exactly one wins). Refusals happen before anything is written; a retry with the
 * same Idempotency-Key repeats none of it.
 */
@CommandHandler(AddUserCommand)
export class AddUserHandler implements ICommandHandler<AddUserCommand> {
  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    private readonly directory: DirectoryAccess,
    private readonly leads: LeadAdministrators,
  ) {}

  async execute({ context, caller, organisationId, body }: AddUserCommand) {
    const userId = deriveId('user', context.commandId);
    const ctx = commandContext(context, { organisationId, roles: caller.rights ? [caller.rights.permissionLevel] : [] });
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
    };
    const email = this.emailReservation(command, organisation.status === 'registered' ? organisation.name : '', ctx);
    const admit = this.leads.admission(organisationId, userId, ctx, isPlatformAdmin(caller) && !managesUsersOf(caller, organisationId));
    const result = await handleCommand(this.events, userDecider, userStream(userId), command, ctx, {
      beforeAppend: async (decision) => {
        await email.check();
        await admit(decision);
        await email.reserve();
      },
    });
    return { id: userId, position: result.position };
  }

  /**
   * `check` refuses a taken address before anything is written (a plain conflict admits
   * nothing); `reserve` appends the reservation, and decides when two adds race for one address.
   */
  private emailReservation(command: AddUser, organisationName: string, ctx: CommandContext) {
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
