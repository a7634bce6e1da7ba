import { DeciderSpecification } from '@access-ledger/core/testing';
import {
  AddUser,
  Caller,
  OrganisationState,
  UserAdded,
  UserEvent,
  capabilitiesOf,
  emailReservationDecider,
  organisationDecider,
  rightsForToken,
  userDecider,
  ReserveEmail,
  ExistingUser,
  leadStandingChange,
  standingRevisionOf,
} from './index';

const now = '2026-11-23T10:00:00.000Z';
const later = '2026-11-23T11:00:00.000Z';
const org = 'org-1';
const platformAdmin: Caller = { userId: null, platformRoles: ['platform_admin'], membership: null };
const lead = (organisationId = org, userId = 'lead-1'): Caller => ({
  userId,
  platformRoles: [],
  membership: { organisationId, permissionLevel: 'lead_administrator', spoc: false, professional: false, active: true },
});
const member = (permissionLevel: 'recorder' | 'administrator', organisationId = org): Caller => ({
  userId: 'member-1',
  platformRoles: [],
  membership: { organisationId, permissionLevel, spoc: true, professional: true, active: true },
});
const registered: OrganisationState = { status: 'registered', organisationId: org, name: 'Hollybrook Surgery', emailDomains: [], leadAdmissions: [] };

const addUser = (overrides: Partial<AddUser> = {}): AddUser => ({
  type: 'AddUser',
  userId: 'u-1',
  organisationId: org,
  organisation: registered,
  firstName: ' Jane ',
  lastName: 'Doe',
  email: 'Jane@NHS.net',
  clinician: true,
  permissionLevel: 'recorder',
  spoc: false,
  professional: true,
  caller: lead(),
  now,
  ...overrides,
});

const janeAdded: UserAdded = {
  type: 'UserAdded',
  data: {
    userId: 'u-1',
    organisationId: org,
    firstName: 'Jane',
    lastName: 'Doe',
    email: 'jane@nhs.net',
    clinician: true,
    permissionLevel: 'recorder',
    spoc: false,
    professional: true,
    addedAt: now,
  },
};
const leadAdded = (userId: string): UserAdded => ({
  type: 'UserAdded',
  data: { ...janeAdded.data, userId, permissionLevel: 'lead_administrator' },
});
const common = { now: later };
const ids = { userId: 'u-1', organisationId: org };

describe('permission levels', () => {
  it('grant exactly the capabilities of the table', () => {
    expect(capabilitiesOf('recorder')).toEqual(['record_vaccinations']);
    expect(capabilitiesOf('administrator')).toEqual(['record_vaccinations', 'manage_vaccines', 'create_reports', 'manage_workflows']);
    expect(capabilitiesOf('lead_administrator')).toEqual(['record_vaccinations', 'manage_vaccines', 'create_reports', 'manage_workflows', 'manage_users']);
  });
});

describe('organisations', () => {
  const given = DeciderSpecification.for(organisationDecider);
  const register = (caller: Caller) => ({ type: 'RegisterOrganisation' as const, organisationId: org, name: ' Hollybrook ', emailDomains: ['NHS.net', 'nhs.net'], caller, now });

  it('are registered by a platform administrator, with normalised e-mail domains', () =>
    given().when(register(platformAdmin)).then([
      { type: 'OrganisationRegistered', data: { organisationId: org, name: 'Hollybrook', emailDomains: ['nhs.net'], registeredAt: now } },
    ]));

  it('are not registered by anyone else', () => given().when(register(lead())).thenThrows('platform-admin-only', 'forbidden'));
});

describe('adding users', () => {
  const given = DeciderSpecification.for(userDecider);

  it('records a lead administrator adding a user to their organisation, e-mail lower-cased and names trimmed', () =>
    given().when(addUser()).then([janeAdded]));

  it('lets a platform administrator add a lead administrator (whether the first is decided by the organisation)', () =>
    given()
      .when(addUser({ caller: platformAdmin, permissionLevel: 'lead_administrator' }))
      .then([{ type: 'UserAdded', data: { ...janeAdded.data, permissionLevel: 'lead_administrator' } }]));
  it('refuses a platform administrator adding a user who is not a lead administrator', () =>
    given().when(addUser({ caller: platformAdmin, permissionLevel: 'recorder' })).thenThrows('first-lead-administrator-only', 'forbidden'));
  it.each(['recorder', 'administrator'] as const)('refuses a %s', (level) => given().when(addUser({ caller: member(level) })).thenThrows('not-a-lead-administrator', 'forbidden'));

  it('refuses a lead administrator of another organisation', () => given().when(addUser({ caller: lead('org-2') })).thenThrows('not-a-lead-administrator', 'forbidden'));

  it('refuses a deactivated lead administrator', () => {
    const caller = lead();
    given()
      .when(addUser({ caller: { ...caller, membership: { ...caller.membership!, active: false } } }))
      .thenThrows('not-a-lead-administrator', 'forbidden');
  });

  it('answers not found for an unknown organisation', () => given().when(addUser({ organisation: { status: 'none' } })).thenThrows('organisation-not-found', 'not_found'));

  it('keeps addresses within the organisation’s e-mail domains', () => {
    const withDomains: OrganisationState = { ...registered, emailDomains: ['nhs.net'] } as OrganisationState;
    given().when(addUser({ organisation: withDomains, email: 'jane@gmail.com' })).thenThrows('email-domain-not-allowed', 'validation');
    given().when(addUser({ organisation: withDomains, email: 'jane+hollybrook@NHS.NET' })).then([{ ...janeAdded, data: { ...janeAdded.data, email: 'jane+hollybrook@nhs.net' } }]);
  });

  it('refuses blank names', () => given().when(addUser({ firstName: '   ' })).thenThrows('invalid-name', 'validation'));

  it('refuses adding the same user twice', () => given([janeAdded]).when(addUser()).thenThrows('user-already-exists', 'conflict'));
});

describe('e-mail reservations', () => {
  const given = DeciderSpecification.for(emailReservationDecider);
  const reserve = (overrides: Partial<ReserveEmail> = {}): ReserveEmail => ({
    type: 'ReserveEmail',
    email: 'jane@nhs.net',
    userId: 'u-2',
    organisationId: 'org-2',
    organisationName: 'Hollybrook Surgery',
    holderExists: true,
    now,
    ...overrides,
  });
  const reserved = { type: 'EmailReserved' as const, data: { email: 'jane@nhs.net', userId: 'u-1', organisationId: org, reservedAt: now } };

  it('reserves a free address', () => given().when(reserve()).then([{ type: 'EmailReserved', data: { email: 'jane@nhs.net', userId: 'u-2', organisationId: 'org-2', reservedAt: now } }]));

  it('refuses an address another user holds, suggesting the +organisationname variation', () => {
    let detail = '';
    try {
      emailReservationDecider.decide(reserve(), emailReservationDecider.evolve(emailReservationDecider.initialState(), reserved));
    } catch (e) {
      detail = (e as Error).message;
    }
    expect(detail).toContain('jane+hollybrooksurgery@nhs.net');
    given([reserved]).when(reserve()).thenThrows('email-already-exists', 'conflict');
  });

  it('is a no-op for the same user (a retried add)', () => given([reserved]).when(reserve({ userId: 'u-1' })).thenNothingHappens());

  it('lets a reservation left by a user never written be taken over after a minute, not before', () => {
    given([reserved]).when(reserve({ holderExists: false, now: '2026-11-23T10:00:30.000Z' })).thenThrows('email-already-exists');
    given([reserved])
      .when(reserve({ holderExists: false, now: later }))
      .then([{ type: 'EmailReserved', data: { email: 'jane@nhs.net', userId: 'u-2', organisationId: 'org-2', reservedAt: later } }]);
  });
});

describe('changing rights', () => {
  const given = DeciderSpecification.for(userDecider);
  const change = (changes: object, caller: Caller = lead()) => ({
    type: 'ChangeUser' as const,
    organisationId: org,
    caller,
    now: later,
    ...changes,
  });

  it('records level, designation and clinician changes as separate facts', () =>
    given([janeAdded])
      .when(change({ permissionLevel: 'administrator', spoc: true, clinician: false }))
      .then([
        { type: 'UserPermissionLevelChanged', data: { ...ids, from: 'recorder', to: 'administrator', userStatus: 'active', changedAt: later } },
        { type: 'UserDesignationsChanged', data: { ...ids, spoc: true, professional: true, changedAt: later } },
        { type: 'UserClinicianStatusChanged', data: { ...ids, clinician: false, changedAt: later } },
      ]));

  it('records nothing when nothing changes', () => given([janeAdded]).when(change({ permissionLevel: 'recorder', professional: true })).thenNothingHappens());

  it('is for lead administrators of the user’s organisation only', () => {
    given([janeAdded]).when(change({ clinician: false }, member('administrator'))).thenThrows('not-a-lead-administrator', 'forbidden');
    given([janeAdded]).when(change({ clinician: false }, lead('org-2'))).thenThrows('not-a-lead-administrator', 'forbidden');
    given([janeAdded]).when(change({ clinician: false }, platformAdmin)).thenThrows('not-a-lead-administrator', 'forbidden');
  });

  it('answers not found for a user of another organisation or none', () => {
    given([{ ...janeAdded, data: { ...janeAdded.data, organisationId: 'org-2' } }]).when(change({ clinician: false })).thenThrows('user-not-found', 'not_found');
    given().when(change({ clinician: false })).thenThrows('user-not-found', 'not_found');
  });

  it('applies level changes from the next sign-in, clinician status at once', () => {
    const events: UserEvent[] = [
      janeAdded,
      { type: 'UserPermissionLevelChanged', data: { ...ids, from: 'recorder', to: 'administrator', userStatus: 'active', changedAt: later } },
      { type: 'UserClinicianStatusChanged', data: { ...ids, clinician: false, changedAt: later } },
    ];
    const user = events.reduce(userDecider.evolve, userDecider.initialState()) as ExistingUser;
    const seconds = (iso: string) => Date.parse(iso) / 1000;
    expect(rightsForToken(user, seconds(later) - 1).permissionLevel).toBe('recorder');
    expect(rightsForToken(user, seconds(later)).permissionLevel).toBe('administrator');
    expect(rightsForToken(user, seconds(now) - 3600).permissionLevel).toBe('recorder');
    expect(user.clinician).toBe(false);
  });
});

describe('deactivation and reactivation', () => {
  const given = DeciderSpecification.for(userDecider);
  const deactivate = (caller: Caller = lead()) => ({ type: 'DeactivateUser' as const, organisationId: org, reason: 'left', caller, ...common });
  const reactivate = (caller: Caller = lead()) => ({ type: 'ReactivateUser' as const, organisationId: org, reason: null, caller, ...common });
  const deactivated: UserEvent = { type: 'UserDeactivated', data: { ...ids, permissionLevel: 'recorder', reason: 'left', deactivatedAt: later } };

  it('deactivates an active user with the reason', () => given([janeAdded]).when(deactivate()).then([deactivated]));
  it('refuses deactivating twice', () => given([janeAdded, deactivated]).when(deactivate()).thenThrows('user-already-deactivated', 'conflict'));
  it('reactivates a deactivated user', () =>
    given([janeAdded, deactivated]).when(reactivate()).then([{ type: 'UserReactivated', data: { ...ids, permissionLevel: 'recorder', reason: null, reactivatedAt: later } }]));
  it('refuses reactivating an active user', () => given([janeAdded]).when(reactivate()).thenThrows('user-already-active', 'conflict'));
  it('is for lead administrators of the organisation only', () => {
    given([janeAdded]).when(deactivate(member('recorder'))).thenThrows('not-a-lead-administrator', 'forbidden');
    given([janeAdded, deactivated]).when(reactivate(lead('org-2'))).thenThrows('not-a-lead-administrator', 'forbidden');
  });
});

describe('account outcomes reported by downstream provisioning', () => {
  const given = DeciderSpecification.for(userDecider);
  const integration: Caller = { userId: null, platformRoles: ['integration'], membership: null };
  const at = '2026-11-23T12:00:00.000Z';
  const report = (status: 'provisioned' | 'disabled' | 'failed', detail: string | null = null, overrides: Partial<{ caller: Caller; organisationId: string; organisationExists: boolean }> = {}) => ({
    type: 'ReportAccountOutcome' as const,
    organisationId: org,
    organisationExists: true,
    status,
    detail,
    caller: integration,
    now: at,
    ...overrides,
  });
  const provisioned = (detail: string | null = null): UserEvent => ({ type: 'UserAccountProvisioned', data: { ...ids, detail, provisionedAt: at } });
  const disabled = (detail: string | null = null): UserEvent => ({ type: 'UserAccountDisabled', data: { ...ids, detail, disabledAt: at } });
  const failed = (detail: string | null = null): UserEvent => ({ type: 'UserAccountProvisioningFailed', data: { ...ids, detail, failedAt: at } });
  const deactivated: UserEvent = { type: 'UserDeactivated', data: { ...ids, permissionLevel: 'recorder', reason: null, deactivatedAt: later } };
  const reactivated: UserEvent = { type: 'UserReactivated', data: { ...ids, permissionLevel: 'recorder', reason: null, reactivatedAt: later } };

  it('records each outcome with its detail', () => {
    given([janeAdded]).when(report('provisioned', 'uid=jdoe')).then([provisioned('uid=jdoe')]);
    given([janeAdded, provisioned(), deactivated]).when(report('disabled')).then([disabled()]);
    given([janeAdded]).when(report('failed', 'directory unreachable')).then([failed('directory unreachable')]);
  });

  it.each([
    ['provisioned', [provisioned('uid=jdoe')], report('provisioned', 'uid=jdoe')],
    ['disabled', [provisioned(), deactivated, disabled()], report('disabled')],
    ['failed', [failed('timeout')], report('failed', 'timeout')],
  ] as const)('records the same outcome (%s) once: a repeated report appends nothing', (_what, history, command) =>
    given([janeAdded, ...history]).when(command).thenNothingHappens());

  it('records a new report after the user’s standing moved on, though its status is the one last reported', () =>
    given([janeAdded, provisioned(), deactivated, disabled(), reactivated]).when(report('provisioned')).then([provisioned()]));

  it('records what downstream did in the order it reports it, also when the user moved on meanwhile', () => {
    // The add's account made after the user was deactivated: the account exists until disabled.
    given([janeAdded, deactivated]).when(report('provisioned')).then([provisioned()]);
    // The deactivation's disable done after the user was reactivated: the account is off until provisioned again.
    given([janeAdded, provisioned(), deactivated, reactivated]).when(report('disabled')).then([disabled()]);
    // A failure after success: a later operation (the disable) failed.
    given([janeAdded, provisioned(), deactivated]).when(report('failed', 'HTTP 503')).then([failed('HTTP 503')]);
  });

  it('is for integrations only, before anything about the user or organisation is told', () => {
    for (const caller of [lead(), platformAdmin, member('recorder'), { ...integration, platformRoles: ['auditor'] }]) {
      given([janeAdded]).when(report('provisioned', null, { caller })).thenThrows('not-an-integration', 'forbidden');
      given().when(report('provisioned', null, { caller, organisationExists: false })).thenThrows('not-an-integration', 'forbidden');
    }
  });

  it('answers not found for an unknown organisation, a user of another organisation, or none', () => {
    given([janeAdded]).when(report('provisioned', null, { organisationExists: false })).thenThrows('organisation-not-found', 'not_found');
    given([janeAdded]).when(report('provisioned', null, { organisationId: 'org-2' })).thenThrows('user-not-found', 'not_found');
    given().when(report('provisioned')).thenThrows('user-not-found', 'not_found');
  });

  it('changes nothing about the user’s standing: no lead administrator change to admit', () => {
    const leadState = [leadAdded('u-1')].reduce(userDecider.evolve, userDecider.initialState());
    expect(leadStandingChange(leadState, [provisioned(), disabled(), failed()])).toBeNull();
  });

  describe('the account a history folds to', () => {
    const account = (...history: UserEvent[]) => (history.reduce(userDecider.evolve, userDecider.initialState()) as ExistingUser).account;
    it('is pending from the add, a deactivation and a reactivation until an outcome is reported', () => {
      expect(account(janeAdded)).toEqual({ status: 'pending', detail: null, at: now });
      expect(account(janeAdded, provisioned('uid=jdoe'))).toEqual({ status: 'provisioned', detail: 'uid=jdoe', at });
      expect(account(janeAdded, provisioned(), deactivated)).toEqual({ status: 'pending', detail: null, at: later });
      expect(account(janeAdded, provisioned(), deactivated, disabled())).toEqual({ status: 'disabled', detail: null, at });
      expect(account(janeAdded, provisioned(), deactivated, disabled(), reactivated)).toEqual({ status: 'pending', detail: null, at: later });
    });
    it('shows the latest report whatever the user’s own status', () => expect(account(janeAdded, deactivated, provisioned())).toMatchObject({ status: 'provisioned' }));
  });

  it('leaves account outcomes out of the revision the lead-administrator admissions compare with', () => {
    expect(standingRevisionOf([])).toBe(-1);
    expect(standingRevisionOf([janeAdded, provisioned()])).toBe(0);
    expect(standingRevisionOf([janeAdded, provisioned(), deactivated, failed(), disabled()])).toBe(2);
  });
});
