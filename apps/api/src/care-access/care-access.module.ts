import { Module } from '@nestjs/common';
import { DirectoryModule } from '../directory/directory.module';
import { CareStreams } from './care-streams';
import { ParticipantCommands } from './care-participants';
import { CreateWorkflowController } from './create-workflow/create-workflow.controller';
import { CreateWorkflowHandler } from './create-workflow/create-workflow.command';
import { ChangeWorkflowSettingsController } from './change-workflow-settings/change-workflow-settings.controller';
import { ChangeWorkflowSettingsHandler } from './change-workflow-settings/change-workflow-settings.command';
import { AddProfessionalsController } from './add-professionals/add-professionals.controller';
import { AddProfessionalsHandler } from './add-professionals/add-professionals.command';
import { EnrolParticipantController } from './enrol-participant/enrol-participant.controller';
import { EnrolParticipantHandler } from './enrol-participant/enrol-participant.command';
import { AnswerConsentPromptController } from './answer-consent-prompt/answer-consent-prompt.controller';
import { AnswerConsentPromptHandler } from './answer-consent-prompt/answer-consent-prompt.command';
import { AssignProfessionalController } from './assign-professional/assign-professional.controller';
import { AssignProfessionalHandler } from './assign-professional/assign-professional.command';
import { AnswerAssignmentController } from './answer-assignment/answer-assignment.controller';
import { AnswerAssignmentHandler } from './answer-assignment/answer-assignment.command';
import { WithdrawConsentController } from './withdraw-consent/withdraw-consent.controller';
import { WithdrawConsentHandler } from './withdraw-consent/withdraw-consent.command';
import { RequestResultsAccessController } from './request-results-access/request-results-access.controller';
import { RequestResultsAccessHandler } from './request-results-access/request-results-access.command';
import { CareQueriesController } from './queries/care-queries.controller';
import { WorkflowsHandler } from './queries/workflows.query';
import { WorkflowProfessionalsHandler } from './queries/workflow-professionals.query';
import { ParticipantsHandler } from './queries/participants.query';
import { ConsentPromptsHandler } from './queries/consent-prompts.query';
import { MyParticipantsHandler } from './queries/my-participants.query';
import { MyAccessHandler } from './queries/my-access.query';

/** Care access: one folder per use case (controller, DTO, command and its thin handler), queries/ for the reads. */
@Module({
  imports: [DirectoryModule],
  controllers: [
    CreateWorkflowController,
    ChangeWorkflowSettingsController,
    AddProfessionalsController,
    EnrolParticipantController,
    AnswerConsentPromptController,
    AssignProfessionalController,
    AnswerAssignmentController,
    WithdrawConsentController,
    RequestResultsAccessController,
    CareQueriesController,
  ],
  providers: [
    CareStreams,
    ParticipantCommands,
    CreateWorkflowHandler,
    ChangeWorkflowSettingsHandler,
    AddProfessionalsHandler,
    EnrolParticipantHandler,
    AnswerConsentPromptHandler,
    AssignProfessionalHandler,
    AnswerAssignmentHandler,
    WithdrawConsentHandler,
    RequestResultsAccessHandler,
    WorkflowsHandler,
    WorkflowProfessionalsHandler,
    ParticipantsHandler,
    ConsentPromptsHandler,
    MyParticipantsHandler,
    MyAccessHandler,
  ],
})
export class CareAccessModule {}
