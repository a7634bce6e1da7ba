import { Inject } from '@nestjs/common';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { deriveId } from '@access-ledger/core';
import { AddUser, isPlatformAdmin, leadStandingChange, managesUsersOf, userDecider, userStream } from '@access-ledger/directory';
import { EventStore, handleCommand } from '@access-ledger/event-store';
import { commandContext, EVENT_STORE, RequestContext } from '@access-ledger/platform';
import { AddUserDto } from './add-user.dto';
import { DirectoryAccess, DirectoryCaller } from '../directory-access';
import { LeadAdministrators } from '../lead-administrators';
import { EmailReservations } from './email-reservation';

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
    private readonly emails: EmailReservations,
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
    const email = this.emails.forAdd(command, organisation.status === 'registered' ? organisation.name : '', ctx);
    const admit = this.leads.admission(organisationId, userId, ctx, isPlatformAdmin(caller) && !managesUsersOf(caller, organisationId));
    const result = await handleCommand(this.events, userDecider, userStream(userId), command, ctx, {
      beforeAppend: async (decision) => {
        // A taken address is refused before an admission is written (a plain conflict then admits nothing);
        // without an admission the reservation itself is the first write and refuses it.
        if (leadStandingChange(decision.state, decision.events)) await email.check();
        await admit(decision);
        await email.reserve();
      },
    });
    return { id: userId, position: result.position };
  }
}
