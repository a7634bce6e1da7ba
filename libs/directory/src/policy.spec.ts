import { DomainError } from '@access-ledger/core';
import { Caller } from './caller';
import { PermissionLevel } from './permissions';
import { directoryReadPolicy } from './policy';

const A = 'org-a';
const B = 'org-b';
const platform = (role: string): Caller => ({ userId: null, platformRoles: [role], membership: null });
const member = (userId: string, organisationId: string, permissionLevel: PermissionLevel, { spoc = false, active = true } = {}): Caller => ({
  userId,
  platformRoles: [],
  membership: { organisationId, permissionLevel, spoc, professional: false, active },
});

/** `allowed`, or the code of the refusal. */
const outcome = (rule: () => void): string => {
  try {
    rule();
    return 'allowed';
  } catch (error) {
    if (error instanceof DomainError && error.kind === 'forbidden') return error.code;
    throw error;
  }
};

const NO = 'not-a-lead-administrator';

const callers: [string, Caller, string, string][] = [
  //  who                                        caller                                              users of A   users of B
  ['a platform administrator',                   platform('platform_admin'),                         NO,          NO],
  ['an auditor',                                 platform('auditor'),                                'allowed',   'allowed'],
  ['an integration',                             platform('integration'),                            NO,          NO],
  ['a lead administrator of A',                  member('u-lead', A, 'lead_administrator'),          'allowed',   NO],
  ['a deactivated lead administrator of A',      member('u-gone', A, 'lead_administrator', { active: false }), NO, NO],
  ['an administrator of A',                      member('u-admin', A, 'administrator'),              NO,          NO],
  ['a recorder of A',                            member('u-rec', A, 'recorder'),                     NO,          NO],
  ['a SPOC of A',                                member('u-spoc', A, 'recorder', { spoc: true }),    NO,          NO],
  ['someone outside the directory',              { userId: null, platformRoles: [], membership: null }, NO,       NO],
];

describe('directory read policy', () => {
  describe.each(callers)('%s', (_who, caller, usersOfA, usersOfB) => {
    it(`lists the users of A: ${usersOfA}; of B: ${usersOfB}`, () => {
      expect(outcome(() => directoryReadPolicy.listUsers(caller, A))).toBe(usersOfA);
      expect(outcome(() => directoryReadPolicy.listUsers(caller, B))).toBe(usersOfB);
    });
    it('reads one user exactly where it lists users', () => {
      expect(outcome(() => directoryReadPolicy.getUser(caller, { organisationId: A, userId: 'u-other' }))).toBe(usersOfA);
      expect(outcome(() => directoryReadPolicy.getUser(caller, { organisationId: B, userId: 'u-other' }))).toBe(usersOfB);
    });
    it('reads /me', () => expect(outcome(() => directoryReadPolicy.me(caller))).toBe('allowed'));
  });

  it('lets every user read their own record, whatever their level, under any organisation (the record is then looked up there)', () => {
    for (const level of ['recorder', 'administrator', 'lead_administrator'] as const) {
      const caller = member('u-self', A, level);
      expect(outcome(() => directoryReadPolicy.getUser(caller, { organisationId: A, userId: 'u-self' }))).toBe('allowed');
      expect(outcome(() => directoryReadPolicy.getUser(caller, { organisationId: B, userId: 'u-self' }))).toBe('allowed');
    }
  });
});
