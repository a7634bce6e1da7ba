import type { Projection } from '@access-ledger/read-store';
import { manageUsersCountsProjection, manageUsersProjection } from './manage-users/manage-users.projection';
import { spocOverviewCountsProjection, spocOverviewProjection } from './spoc-overview/spoc-overview.projection';
import { careGrantsProjection } from './care-grants/care-grants.projection';
import { careWorkflowsProjection } from './care-workflows/care-workflows.projection';
import { careParticipantsProjection } from './care-participants/care-participants.projection';
import { careResultsRequestsProjection } from './care-results-requests/care-results-requests.projection';

export * from './manage-users/manage-users.projection';
export * from './spoc-overview/spoc-overview.projection';
export * from './care-grants/care-grants.projection';
export * from './care-grants/due-for-expiry';
export * from './care-workflows/care-workflows.projection';
export * from './care-participants/care-participants.projection';
export * from './care-results-requests/care-results-requests.projection';

/** Every read model the service maintains; the runner, the rebuild tool and readiness use this list. */
export const projections: readonly Projection<any>[] = [
  manageUsersProjection,
  manageUsersCountsProjection,
  spocOverviewProjection,
  spocOverviewCountsProjection,
  careGrantsProjection,
  careWorkflowsProjection,
  careParticipantsProjection,
  careResultsRequestsProjection,
];

export const projectionNamed = (name: string): Projection<any> | undefined => projections.find((p) => p.name === name);
