import { Controller, Get, Header, Param, Req } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { CARE_GRANTS } from '@access-ledger/projections';
import { ApiAnswer, ApiProblems, Ctx, minPositionHeader, ReadModels, RequestContext, UuidPipe } from '@access-ledger/platform';
import { AuditReads } from '../audit-reads';
import { GrantConsentQuery } from './grant-consent.query';
import { FHIR_CONSENT } from '../audit.schemas';

export const FHIR_JSON = 'application/fhir+json';

@ApiTags('audit')
@ApiBearerAuth()
@Controller()
export class GrantConsentController {
  constructor(
    private readonly queries: QueryBus,
    private readonly reads: AuditReads,
    private readonly readModels: ReadModels,
  ) {}

  @Get('audit/grants/:grantId/fhir')
  @Header('Content-Type', FHIR_JSON)
  @ApiOperation({ operationId: 'Audit_grantConsent', summary: 'A care-access grant as a FHIR R4 Consent, as it stands now (auditors)' })
  @ApiAnswer(200, FHIR_CONSENT, { mediaType: FHIR_JSON })
  @ApiProblems(404)
  @ApiHeader(minPositionHeader('bounded'))
  async consent(@Ctx() context: RequestContext, @Req() request: Request, @Param('grantId', UuidPipe) grantId: string) {
    const reader = await this.reads.readerOf(request, context);
    await this.readModels.fresh(request, CARE_GRANTS);
    // An audit read like the others: recorded (AuditRecordRead, the grant's organisation) before it is answered.
    return this.reads.answered(request, context, reader, await this.queries.execute(new GrantConsentQuery(reader, grantId, context.now)));
  }
}
