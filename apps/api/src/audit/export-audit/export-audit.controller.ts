import { Controller, Get, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { DEFAULT_EXPORT_FORMAT, ExportSelection, auditReadPolicy, exportFormatNamed } from '@access-ledger/audit';
import { ApiAnswer, Ctx, RequestContext, RequestValidationError, s } from '@access-ledger/platform';
import { AuditReads } from '../audit-reads';
import { AuditExport } from './audit-export';
import { ExportAuditQueryDto } from './export-audit.dto';

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit')
export class ExportAuditController {
  constructor(
    private readonly reads: AuditReads,
    private readonly exporter: AuditExport,
  ) {}

  @Get('export')
  @ApiOperation({
    operationId: 'ExportAuditController_export',
    summary: 'The event log as signed, hash-chained NDJSON (auditors)',
    description: 'One event a line, each with hash = sha256(previous hash + RFC 8785 form of the line without hash), from 64 zeros; the last line is the manifest, signed with Ed25519 by the key at GET /audit/public-key. See docs/api.md, "Audit export".',
  })
  @ApiAnswer(200, s.string({ description: 'NDJSON: one event a line, the signed manifest last.' }), {
    mediaType: 'application/x-ndjson',
    headers: { 'Content-Disposition': { description: 'attachment; filename="audit-export-<organisation or all>-<format>.ndjson"', schema: s.string() } },
  })
  async export(@Ctx() context: RequestContext, @Req() request: Request, @Res() response: Response, @Query() query: ExportAuditQueryDto): Promise<void> {
    const reader = await this.reads.readerOf(request, context);
    auditReadPolicy.auditorOnly(reader);
    const selection: ExportSelection = { organisationId: query.organisationId?.toLowerCase() ?? null, from: normalised(query.from), to: normalised(query.to) };
    if (selection.from !== null && selection.to !== null && selection.from >= selection.to) {
      throw new RequestValidationError([{ field: 'to', messages: ['to must be after from'] }]);
    }
    const format = exportFormatNamed(query.format ?? DEFAULT_EXPORT_FORMAT)!;
    // Recorded before the answer, like every audit read (of the organisation, or of none for the whole log); the log is read after it, so the export holds its own record.
    await this.reads.record(request, context, reader, selection.organisationId ? [selection.organisationId] : []);
    response.status(200);
    response.setHeader('Content-Type', 'application/x-ndjson; charset=utf-8');
    response.setHeader('Content-Disposition', `attachment; filename="audit-export-${selection.organisationId ?? 'all'}-${format.name}.ndjson"`);
    await this.exporter.write(selection, format, response);
  }
}

/** The instant as UTC with milliseconds (what the manifest records and the filter compares). */
const normalised = (iso: string | undefined): string | null => (iso === undefined ? null : new Date(Date.parse(iso)).toISOString());
