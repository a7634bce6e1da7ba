import { isOpen } from '@access-ledger/access-requests';
import { SortKey } from '@access-ledger/read-store';
import { OverviewRow } from '@access-ledger/projections';

/** The rows the overview and the requester's own list show, and the sorts they offer. */

export type Action = 'approve' | 'reject';
export type OverviewItem = Pick<OverviewRow, 'id' | 'requester' | 'application' | 'status' | 'createdAt' | 'updatedAt' | 'completedAt' | 'provisioning'> & {
  actions: Action[];
};

/** What a SPOC may do with a request of this status. */
export const actionsFor = (status: OverviewRow['status']): Action[] => (isOpen(status) ? ['approve', 'reject'] : []);
export const toItem = (row: OverviewRow): OverviewItem => ({
  id: row.id,
  requester: row.requester,
  application: row.application,
  status: row.status,
  createdAt: row.createdAt,
  updatedAt: row.updatedAt,
  completedAt: row.completedAt,
  provisioning: row.provisioning,
  actions: actionsFor(row.status),
});

const SORT_KEYS: Record<string, SortKey[]> = {
  updatedAt: [{ field: 'updatedAt', direction: 'asc' }],
  createdAt: [{ field: 'createdAt', direction: 'asc' }],
  requester: [{ field: 'requesterLabel', direction: 'asc' }],
  application: [{ field: 'application', direction: 'asc' }],
};
export const sortOf = (sort = '-updatedAt'): SortKey[] => {
  const descending = sort.startsWith('-');
  return SORT_KEYS[sort.replace(/^-/, '')].map((key, i) => (i === 0 && descending ? { ...key, direction: key.direction === 'asc' ? 'desc' : 'asc' } : key));
};
