import { AuditReader } from '@access-ledger/audit';
import { isAuditor } from '@access-ledger/directory';
import { RequestContext } from '@access-ledger/platform';
import { DirectoryCaller } from '../directory/directory-access';

/** The caller as the audit read policy sees them (libs/audit/src/policy.ts). */
export const auditReaderOf = (context: RequestContext, caller: DirectoryCaller): AuditReader => ({
  id: context.principal.sub,
  email: context.principal.email.toLowerCase(),
  auditor: isAuditor(caller),
  leadAdministratorOf:
    caller.membership?.active && caller.membership.permissionLevel === 'lead_administrator' ? caller.membership.organisationId : null,
});
