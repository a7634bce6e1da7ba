import { ForbiddenError } from '@access-ledger/core';
import { PermissionLevel, can } from './permissions';

/** The caller as the directory sees them for this call (rights as effective for their token). */
export interface Caller {
  readonly userId: string | null;
  readonly platformRoles: readonly string[];
  readonly membership: {
    readonly organisationId: string;
    readonly permissionLevel: PermissionLevel;
    readonly spoc: boolean;
    readonly professional: boolean;
    readonly active: boolean;
  } | null;
}

export const isPlatformAdmin = (caller: Caller) => caller.platformRoles.includes('platform_admin');
/** Downstream systems (account provisioning) calling with a token of the `integration` role. */
export const isIntegration = (caller: Caller) => caller.platformRoles.includes('integration');

export const managesUsersOf = (caller: Caller, organisationId: string): boolean =>
  caller.membership !== null &&
  caller.membership.active &&
  caller.membership.organisationId === organisationId &&
  can(caller.membership.permissionLevel, 'manage_users');

export const requireUserManager = (caller: Caller, organisationId: string): void => {
  if (!managesUsersOf(caller, organisationId)) {
    throw new ForbiddenError('not-a-lead-administrator', 'Only lead administrators of this organisation manage its users.');
  }
};
