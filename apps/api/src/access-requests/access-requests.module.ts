import { Module } from '@nestjs/common';
import { DirectoryModule } from '../directory/directory.module';
import { Spocs } from './spocs';
import { CreateRequestController } from './create-request/create-request.controller';
import { CreateRequestHandler } from './create-request/create-request.command';
import { SubmitRequestController } from './submit-request/submit-request.controller';
import { SubmitRequestHandler } from './submit-request/submit-request.command';
import { ApproveRequestController } from './approve-request/approve-request.controller';
import { ApproveRequestHandler } from './approve-request/approve-request.command';
import { RejectRequestController } from './reject-request/reject-request.controller';
import { RejectRequestHandler } from './reject-request/reject-request.command';
import { WithdrawRequestController } from './withdraw-request/withdraw-request.controller';
import { WithdrawRequestHandler } from './withdraw-request/withdraw-request.command';
import { ReportProvisioningController } from './report-provisioning/report-provisioning.controller';
import { ReportProvisioningHandler } from './report-provisioning/report-provisioning.command';
import { RequestQueriesController } from './queries/request-queries.controller';
import { OverviewHandler } from './queries/overview.query';
import { MyRequestsHandler } from './queries/my-requests.query';
import { GetRequestHandler } from './queries/get-request.query';

/** Access requests: one folder per use case (controller, DTO, command and its thin handler), queries/ for the reads. */
@Module({
  imports: [DirectoryModule],
  controllers: [
    CreateRequestController,
    RequestQueriesController,
    SubmitRequestController,
    ApproveRequestController,
    RejectRequestController,
    WithdrawRequestController,
    ReportProvisioningController,
  ],
  providers: [
    Spocs,
    CreateRequestHandler,
    SubmitRequestHandler,
    ApproveRequestHandler,
    RejectRequestHandler,
    WithdrawRequestHandler,
    ReportProvisioningHandler,
    OverviewHandler,
    MyRequestsHandler,
    GetRequestHandler,
  ],
})
export class AccessRequestsModule {}
