import { Body, Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { ApiAnswer, ApiProblems, Ctx, RequestContext, UuidPipe } from '@access-ledger/platform';
import { DirectoryAccess } from '../../directory/directory-access';
import { careWriterOf } from '../care-commands';
import { AnswerConsentPromptCommand } from './answer-consent-prompt.command';
import { AnswerConsentPromptDto } from './answer-consent-prompt.dto';
import { CONSENT_ANSWERED } from '../care.schemas';

@ApiTags('care access')
@ApiBearerAuth()
@Controller()
export class AnswerConsentPromptController {
  constructor(
    private readonly commands: CommandBus,
    private readonly directory: DirectoryAccess,
  ) {}

  @Post('workflows/:workflowId/consents')
  @HttpCode(200)
  @ApiOperation({ operationId: 'CareAccess_answerConsentPrompt', summary: 'Accept or decline a consent prompt of a workflow you are enrolled in (option 1)' })
  @ApiAnswer(200, CONSENT_ANSWERED)
  @ApiProblems(404)
  async answer(@Ctx() context: RequestContext, @Req() request: Request, @Param('workflowId', UuidPipe) workflowId: string, @Body() body: AnswerConsentPromptDto) {
    return this.commands.execute(new AnswerConsentPromptCommand(await careWriterOf(this.directory, context, request), workflowId, body));
  }
}
