import { Module } from '@nestjs/common';
import { DirectoryController } from './directory.controller';
import { DirectoryAccess } from './directory-access';
import { LeadAdministrators } from './lead-administrators';
import { RegisterOrganisationHandler } from './register-organisation/register-organisation.command';
import { AddUserHandler } from './add-user/add-user.command';
import { ChangeUserHandler, DeactivateUserHandler, ReactivateUserHandler } from './user-change';
import { GetUserHandler, ListUsersHandler, MeHandler } from './queries/list-users.query';

@Module({
  controllers: [DirectoryController],
  providers: [
    DirectoryAccess,
    LeadAdministrators,
    RegisterOrganisationHandler,
    AddUserHandler,
    ChangeUserHandler,
    DeactivateUserHandler,
    ReactivateUserHandler,
    ListUsersHandler,
    GetUserHandler,
    MeHandler,
  ],
  exports: [DirectoryAccess],
})
export class DirectoryModule {}
