import { Module } from '@nestjs/common';
import { DirectoryAccess } from './directory-access';
import { LeadAdministrators } from './lead-administrators';
import { RegisterOrganisationController } from './register-organisation/register-organisation.controller';
import { RegisterOrganisationHandler } from './register-organisation/register-organisation.command';
import { AddUserController } from './add-user/add-user.controller';
import { AddUserHandler } from './add-user/add-user.command';
import { EmailReservations } from './add-user/email-reservation';
import { ChangeUserController } from './change-user/change-user.controller';
import { ChangeUserHandler } from './change-user/change-user.command';
import { DeactivateUserController } from './deactivate-user/deactivate-user.controller';
import { DeactivateUserHandler } from './deactivate-user/deactivate-user.command';
import { ReactivateUserController } from './reactivate-user/reactivate-user.controller';
import { ReactivateUserHandler } from './reactivate-user/reactivate-user.command';
import { ReportAccountOutcomeController } from './report-account-outcome/report-account-outcome.controller';
import { ReportAccountOutcomeHandler } from './report-account-outcome/report-account-outcome.command';
import { DirectoryQueriesController } from './queries/directory-queries.controller';
import { ListUsersHandler } from './queries/list-users.query';
import { GetUserHandler } from './queries/get-user.query';
import { MeHandler } from './queries/me.query';

/** The directory: one folder per use case (controller, DTO, command and its thin handler), queries/ for the reads. */
@Module({
  controllers: [
    RegisterOrganisationController,
    AddUserController,
    DirectoryQueriesController,
    ChangeUserController,
    DeactivateUserController,
    ReactivateUserController,
    ReportAccountOutcomeController,
  ],
  providers: [
    DirectoryAccess,
    LeadAdministrators,
    RegisterOrganisationHandler,
    AddUserHandler,
    EmailReservations,
    ChangeUserHandler,
    DeactivateUserHandler,
    ReactivateUserHandler,
    ReportAccountOutcomeHandler,
    ListUsersHandler,
    GetUserHandler,
    MeHandler,
  ],
  exports: [DirectoryAccess],
})
export class DirectoryModule {}
