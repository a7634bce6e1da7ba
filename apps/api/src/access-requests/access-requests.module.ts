import { Module } from '@nestjs/common';
import { DirectoryModule } from '../directory/directory.module';
import { AccessRequestsController } from './access-requests.controller';
import { ApproveRequestHandler, CreateRequestHandler, RejectRequestHandler, SubmitRequestHandler, WithdrawRequestHandler } from './request-commands';
import { GetRequestHandler, MyRequestsHandler, OverviewHandler } from './queries/overview.query';
import { Spocs } from './spocs';

@Module({
  imports: [DirectoryModule],
  controllers: [AccessRequestsController],
  providers: [
    Spocs,
    CreateRequestHandler,
    SubmitRequestHandler,
    ApproveRequestHandler,
    RejectRequestHandler,
    WithdrawRequestHandler,
    OverviewHandler,
    MyRequestsHandler,
    GetRequestHandler,
  ],
})
export class AccessRequestsModule {}
