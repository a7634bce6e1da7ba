import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { Omittable } from '@access-ledger/platform';
import { DEFAULT_EXPORT_FORMAT, EXPORT_FORMATS } from '@access-ledger/audit';

/** An instant: a date-time with seconds optional and a zone (Z or ±hh:mm); a bare local time would depend on the server's zone. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

const instant = (field: string) => {
  const message = `${field} must be an ISO 8601 date-time with a time zone, e.g. 2026-01-01T00:00:00Z`;
  return [IsString({ message }), MaxLength(40, { message }), Matches(INSTANT, { message }), IsISO8601({ strict: true, strictSeparator: true }, { message })];
};
const apply = (decorators: PropertyDecorator[]): PropertyDecorator => (target, key) => decorators.forEach((decorate) => decorate(target, key));

export class ExportAuditQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Events whose data.organisationId is this organisation; omitted: every event of the log (events without an organisation included).' })
  @Omittable()
  @IsUUID('all', { message: 'organisationId must be a UUID' })
  organisationId?: string;

  @ApiPropertyOptional({ format: 'date-time', example: '2026-01-01T00:00:00Z', description: 'Inclusive, compared with metadata.occurredAt.' })
  @Omittable()
  @apply(instant('from'))
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', example: '2026-02-01T00:00:00Z', description: 'Exclusive, compared with metadata.occurredAt; after from.' })
  @Omittable()
  @apply(instant('to'))
  to?: string;

  @ApiPropertyOptional({ enum: EXPORT_FORMATS.map((f) => f.name), default: DEFAULT_EXPORT_FORMAT, description: EXPORT_FORMATS.map((f) => `${f.name}: ${f.description}`).join(' ') })
  @Omittable()
  @IsIn(EXPORT_FORMATS.map((f) => f.name), { message: `format must be one of ${EXPORT_FORMATS.map((f) => f.name).join(', ')}` })
  format?: string;
}
