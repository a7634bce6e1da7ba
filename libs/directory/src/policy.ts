import { ForbiddenError } from '@access-ledger/core';
import { Caller, managesUsersOf } from './caller';

export const isAuditor = (caller: Caller): boolean => caller.platformRoles.includes('auditor');

const notALeadAdministrator = () => new ForbiddenError('not-a-lead-administrator', 'Only lead administrators of this organisation (and auditors) see its users.');

/**
 * Who reads what of the directory: every directory query asks one of these rules first. Pure
 * functions of the caller (rights as effective for their token) and the resource asked for;
 * a rule returns when the caller may read it and throws a ForbiddenError with a stable code
 * when not. test/read-policy.api.spec.ts shows them as a table per endpoint.
 */
export const directoryReadPolicy = {
  /** An organisation's users (the manage-users screen): its lead administrators, and auditors. */
  listUsers(caller: Caller, organisationId: string): void {
    if (!managesUsersOf(caller, organisationId) && !isAuditor(caller)) throw notALeadAdministrator();
  },

  /**
   * One user, asked for under an organisation: the user themselves, and whoever reads that
   * organisation's users. (A user who is not in that organisation is then not found there.)
   */
  getUser(caller: Caller, user: { readonly organisationId: string; readonly userId: string }): void {
    if (caller.userId === user.userId) return;
    directoryReadPolicy.listUsers(caller, user.organisationId);
  },

  /** `/me`: anyone authenticated, about themselves (platform staff and requesters outside the directory too). */
  me(_caller: Caller): void {},
};
