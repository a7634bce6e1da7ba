import { Module } from '@nestjs/common';
import { DirectoryController } from './directory.controller';
import { DirectoryAccess } from './directory-access';
import { LeadAdministrators } from './lead-administrators';
import { RegisterOrganisationHandler } from './register-organisation';
import { AddUserHandler } from './add-user';
import { ChangeUserHandler, DeactivateUserHandler, ReactivateUserHandler } from './manage-user';
import { GetUserHandler, ListUsersHandler, MeHandler } from './queries';

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
