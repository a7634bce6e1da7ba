import type { Projection } from '@access-ledger/read-store';
import { manageUsersCountsProjection, manageUsersProjection } from './manage-users/manage-users.projection';
import { spocOverviewCountsProjection, spocOverviewProjection } from './spoc-overview/spoc-overview.projection';
import { careGrantsProjection } from './care-grants/care-grants.projection';

export * from './manage-users/manage-users.projection';
export * from './spoc-overview/spoc-overview.projection';
export * from './care-grants/care-grants.projection';
export * from './care-grants/due-for-expiry';

/** Every read model the service maintains; the runner, the rebuild tool and readiness use this list. */
export const projections: readonly Projection<any>[] = [manageUsersProjection, manageUsersCountsProjection, spocOverviewProjection, spocOverviewCountsProjection, careGrantsProjection];

export const projectionNamed = (name: string): Projection<any> | undefined => projections.find((p) => p.name === name);
