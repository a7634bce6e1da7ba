import { Controller, Get, Param, Query, Req } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { ApiAnswer, ApiProblems, Ctx, RequestContext } from '@access-ledger/platform';
import { AuditReads } from '../audit-reads';
import { StreamIdPipe } from '../audit-params';
import { RAW_STREAM_PAGE, RawStreamQueryDto } from './raw-stream.dto';
import { RawStreamQuery } from './raw-stream.query';
import { RAW_STREAM } from '../audit.schemas';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class RawStreamController {
  constructor(
    private readonly queries: QueryBus,
    private readonly reads: AuditReads,
  ) {}

  @Get('streams/:streamId')
  @ApiOperation({ operationId: 'RawStreamController_stream', summary: 'A stream’s stored events with their full metadata, oldest first, up to 1,000 per page (auditors)' })
  @ApiAnswer(200, RAW_STREAM)
  @ApiProblems(404)
  async stream(@Ctx() context: RequestContext, @Req() request: Request, @Param('streamId', StreamIdPipe) streamId: string, @Query() query: RawStreamQueryDto) {
    const reader = await this.reads.readerOf(request, context);
    const answer = await this.queries.execute(new RawStreamQuery(reader, streamId, query.fromRevision ?? 0, query.limit ?? RAW_STREAM_PAGE));
    return this.reads.answered(request, context, reader, answer);
  }
}
