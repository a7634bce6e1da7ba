import { RequestCaller, RequestReader } from '@access-ledger/access-requests';
import { isAuditor, isPlatformAdmin } from '@access-ledger/directory';
import { RequestContext } from '@access-ledger/platform';
import { DirectoryCaller } from '../directory/directory-access';

/** The caller as the access-request context sees them: their `sub`, and the organisation they are an active SPOC of for this token. */
export const requestCallerOf = (context: RequestContext, caller: DirectoryCaller): RequestCaller => ({
  id: context.principal.sub,
  email: context.principal.email,
  spocOf: caller.membership && caller.membership.active && caller.membership.spoc ? caller.membership.organisationId : null,
  platformAdmin: isPlatformAdmin(caller),
});

/** The caller as the read policy sees them (libs/access-requests/src/policy.ts): the same, and whether they audit. */
export const requestReaderOf = (context: RequestContext, caller: DirectoryCaller): RequestReader => ({
  ...requestCallerOf(context, caller),
  auditor: isAuditor(caller),
});
