import type { FindQuery, Keyset } from '@access-ledger/read-store';
import { untilReached } from '@access-ledger/care-access';
import { CARE_GRANTS, CareGrant } from './care-grants.projection';

/** What the expiry sweeper reads, page after page: the grants recorded active, soonest `until` first (index `status, until`). */
export const activeGrantsByUntil = (pageSize: number, after?: Keyset): { readonly collection: string; readonly query: FindQuery } => ({
  collection: CARE_GRANTS,
  query: { where: { status: 'active' }, sort: [{ field: 'until', direction: 'asc' }], pageSize, after, skipTotal: true },
});

/**
 * Of a page of `activeGrantsByUntil`, the grants whose `until` has come at `now`, so that
 * AccessExpired is due, and whether the sweep is done: in `until` order, the first grant not
 * yet due means that none after it is. The same comparison as enforcement (`untilReached`).
 */
export const dueForExpiry = (page: readonly CareGrant[], now: string): { readonly due: readonly CareGrant[]; readonly done: boolean } => {
  const firstNotDue = page.findIndex((grant) => !untilReached(grant.until, now));
  return firstNotDue === -1 ? { due: page, done: false } : { due: page.slice(0, firstNotDue), done: true };
};
