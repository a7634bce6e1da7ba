import { CareCaller } from '@access-ledger/care-access';
import { can, isAuditor } from '@access-ledger/directory';
import { RequestContext } from '@access-ledger/platform';
import { callerNameOf, DirectoryCaller } from '../directory/directory-access';

/**
 * The caller as care access sees them: the token's `sub` (what identifies a participant), and,
 * for an active directory user, their organisation and whether they administer workflows
 * (administrator, lead administrator) or are a professional there, as effective for their token.
 */
export const careCallerOf = (context: RequestContext, caller: DirectoryCaller): CareCaller => {
  const membership = caller.membership?.active ? caller.membership : null;
  const { principal } = context;
  return {
    id: principal.sub,
    email: principal.email.toLowerCase(),
    name: callerNameOf(principal, caller),
    userId: membership ? caller.userId : null,
    organisationId: membership?.organisationId ?? null,
    administrator: membership !== null && can(membership.permissionLevel, 'manage_workflows'),
    professional: membership?.professional ?? false,
    auditor: isAuditor(caller),
  };
};

/** The envelope's scope for a care-access command: the organisation acted for and the capacity, when the caller has one there. */
export const careScopeOf = (caller: CareCaller) => ({
  organisationId: caller.organisationId,
  roles: [...(caller.administrator ? ['care_administrator'] : []), ...(caller.professional ? ['professional'] : [])],
});
