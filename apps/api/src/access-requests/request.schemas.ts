import { PROVISIONING_OUTCOMES, REQUEST_STATUSES } from '@access-ledger/access-requests';
import { pageOf, POSITION, s } from '@access-ledger/platform';

/** The access requests' answers as the OpenAPI document describes them (docs/api.md, "Access requests"). */

const STATUS = s.oneOf(REQUEST_STATUSES);
const PROVISIONING = s.nullable(
  s.named(
    'Provisioning',
    s.object(
      { status: s.oneOf(['pending', ...PROVISIONING_OUTCOMES]), detail: s.nullable(s.string({ description: 'The integration’s own words, as reported.' })), at: s.instant('Since when.') },
      { description: 'null until approved; pending from the approval until downstream reports, then the last outcome it reported.' },
    ),
  ),
);
const ACTIONS = s.list(s.oneOf(['approve', 'reject']), 'What the calling SPOC may do with it now (empty for anyone else).');
const REQUESTER = s.named('Requester', s.object({ id: s.string({ description: 'The token’s sub.' }), email: s.string(), name: s.nullable(s.string()) }));

export const CREATED_REQUEST = s.named('CreatedRequest', s.object({ id: s.uuid(), status: STATUS, position: POSITION }));
export const REQUEST_STATUS_CHANGED = s.named('RequestStatusChanged', s.object({ status: STATUS, position: POSITION }));

const rowFields = {
  id: s.uuid(),
  requester: REQUESTER,
  application: s.string(),
  status: STATUS,
  createdAt: s.instant(),
  updatedAt: s.instant(),
  completedAt: s.nullable(s.instant()),
  provisioning: PROVISIONING,
  actions: ACTIONS,
};

export const REQUEST = s.named(
  'Request',
  s.object({
    ...rowFields,
    organisationId: s.uuid(),
    justification: s.nullable(s.string()),
    decision: s.nullable(
      s.object(
        {
          by: s.nullable(s.object({ id: s.string(), email: s.string() })),
          reason: s.nullable(s.string({ description: 'A rejection’s reason.' })),
          comment: s.nullable(s.string({ description: 'An approval’s comment.' })),
        },
        { description: 'How it was closed (approved, rejected, withdrawn); null while open.' },
      ),
    ),
  }),
);

const ROW = s.named('RequestRow', s.object(rowFields));
export const MY_REQUESTS_PAGE = pageOf('RequestsPage', ROW);
export const OVERVIEW_PAGE = pageOf('RequestsOverviewPage', ROW, {
  counts: s.object(Object.fromEntries(REQUEST_STATUSES.map((status) => [status, s.integer({ minimum: 0 })])), { description: 'Requests of the organisation per status, whatever the filter.' }),
});
