import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { NotFoundError } from '@access-ledger/core';
import { currentRights, directoryReadPolicy } from '@access-ledger/directory';
import { ManagedUser } from '@access-ledger/projections';
import { DirectoryAccess, DirectoryCaller } from '../directory-access';

/** One user as GET answers it: the fields of a manage-users row, from the user's own stream. */
export type UserView = ManagedUser;

export class GetUserQuery extends Query<{ user: UserView; revision: number }> {
  constructor(readonly caller: DirectoryCaller, readonly organisationId: string, readonly userId: string) {
    super();
  }
}

/** One user, from their stream (so the ETag is the stream revision an If-Match is checked against). */
@QueryHandler(GetUserQuery)
export class GetUserHandler implements IQueryHandler<GetUserQuery> {
  constructor(private readonly directory: DirectoryAccess) {}

  async execute({ caller, organisationId, userId }: GetUserQuery) {
    directoryReadPolicy.getUser(caller, { organisationId, userId });
    const { state, revision, createdAt, updatedAt } = await this.directory.user(userId);
    if (!state || state.organisationId !== organisationId) throw new NotFoundError('user-not-found', 'No such user in this organisation.');
    const rights = currentRights(state);
    return {
      revision,
      user: {
        id: state.userId,
        organisationId: state.organisationId,
        firstName: state.firstName,
        lastName: state.lastName,
        email: state.email,
        clinician: state.clinician,
        permissionLevel: rights.permissionLevel,
        spoc: rights.spoc,
        professional: rights.professional,
        status: state.status,
        account: state.account,
        createdAt: createdAt!,
        updatedAt: updatedAt!,
      },
    };
  }
}
