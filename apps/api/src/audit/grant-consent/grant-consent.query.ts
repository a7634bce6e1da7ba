import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { NotFoundError } from '@access-ledger/core';
import { AuditReader, FhirConsent, auditReadPolicy, grantConsentOf } from '@access-ledger/audit';
import { AuditStreams } from '../audit-streams';
import { AuditAnswer } from '../audit-reads';

export class GrantConsentQuery extends Query<AuditAnswer<FhirConsent>> {
  constructor(
    readonly reader: AuditReader,
    readonly grantId: string,
    readonly now: string,
  ) {
    super();
  }
}

/** A grant as a FHIR R4 Consent, as it stands at the request's moment; auditors only. */
@QueryHandler(GrantConsentQuery)
export class GrantConsentHandler implements IQueryHandler<GrantConsentQuery> {
  constructor(private readonly streams: AuditStreams) {}

  async execute({ reader, grantId, now }: GrantConsentQuery): Promise<AuditAnswer<FhirConsent>> {
    auditReadPolicy.auditorOnly(reader);
    const { events, organisationId } = await this.streams.grant(grantId);
    const consent = grantConsentOf(events, grantId, now);
    if (!consent) throw new NotFoundError('grant-not-found', 'No such grant.');
    return { body: consent, organisationIds: [organisationId] };
  }
}
