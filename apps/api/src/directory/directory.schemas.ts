import { ACCOUNT_OUTCOMES, CAPABILITIES, PERMISSION_LEVELS } from '@access-ledger/directory';
import { pageOf, s } from '@access-ledger/platform';

/** The directory's answers as the OpenAPI document describes them (docs/api.md, "Directory"). */

const USER_STATUS = s.oneOf(['active', 'deactivated']);
const userFields = {
  id: s.uuid(),
  firstName: s.string(),
  lastName: s.string(),
  email: s.string(),
  clinician: s.boolean(),
  permissionLevel: s.oneOf(PERMISSION_LEVELS, 'As last set: what the user gets at their next sign-in.'),
  spoc: s.boolean(),
  professional: s.boolean(),
  status: USER_STATUS,
  account: s.named(
    'Account',
    s.object(
      { status: s.oneOf(['pending', ...ACCOUNT_OUTCOMES]), detail: s.nullable(s.string({ description: 'The integration’s own words, as reported.' })), at: s.instant('Since when.') },
      { description: 'The account downstream: pending after an add, deactivation or reactivation until downstream reports, then the last outcome it reported.' },
    ),
  ),
  createdAt: s.instant(),
  updatedAt: s.instant(),
};

/** A row of the manage-users screen. */
export const USERS_PAGE = pageOf('UsersPage', s.named('UserRow', s.object(userFields)));
/** One user, from their stream. */
export const USER = s.named('User', s.object({ ...userFields, organisationId: s.uuid() }));

export const ME = s.named(
  'Me',
  s.object({
    user: s.nullable(s.object({ id: s.uuid(), firstName: s.string(), lastName: s.string(), email: s.string() })),
    organisation: s.nullable(s.object({ id: s.uuid(), name: s.string() })),
    permissionLevel: s.nullable(s.oneOf(PERMISSION_LEVELS, 'Effective for this token (as of its iat).')),
    capabilities: s.list(s.oneOf(CAPABILITIES)),
    clinician: s.boolean(),
    spoc: s.boolean(),
    professional: s.boolean(),
    status: s.nullable(USER_STATUS),
    roles: s.list(s.string(), 'The token’s platform roles.'),
  }),
);
