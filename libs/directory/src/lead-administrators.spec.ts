import { DeciderSpecification } from '@access-ledger/core/testing';
import {
  AdmitLeadAdministratorChange,
  LeadAdministratorChangeAdmitted,
  OrganisationEvent,
  UserAdded,
  UserEvent,
  leadStandingChange,
  organisationDecider,
  userDecider,
} from './index';

const org = 'org-1';
const t0 = '2026-11-23T10:00:00.000Z';
const soon = '2026-11-23T10:00:01.000Z';
const muchLater = '2026-11-23T10:05:00.000Z';

const registered: OrganisationEvent = { type: 'OrganisationRegistered', data: { organisationId: org, name: 'Hollybrook', emailDomains: [], registeredAt: t0 } };
const admitted = (userId: string, activeLead: boolean, basedOnUserRevision = -1, admittedAt = t0): LeadAdministratorChangeAdmitted => ({
  type: 'LeadAdministratorChangeAdmitted',
  data: { organisationId: org, userId, activeLead, cause: activeLead ? 'added' : 'deactivated', basedOnUserRevision, admittedAt },
});
const admit = (overrides: Partial<AdmitLeadAdministratorChange>): AdmitLeadAdministratorChange => ({
  type: 'AdmitLeadAdministratorChange',
  userId: 'u-new',
  activeLead: true,
  cause: 'added',
  basedOnUserRevision: -1,
  asFirstLead: false,
  standings: {},
  now: soon,
  ...overrides,
});
const lead = (revision = 0) => ({ revision, activeLead: true });
const notLead = (revision = 1) => ({ revision, activeLead: false });

describe('lead administrators of an organisation', () => {
  const given = DeciderSpecification.for(organisationDecider);

  describe('the first lead administrator, added by a platform administrator', () => {
    it('is admitted when the organisation has none', () =>
      given([registered]).when(admit({ asFirstLead: true })).then([
        { type: 'LeadAdministratorChangeAdmitted', data: { organisationId: org, userId: 'u-new', activeLead: true, cause: 'added', basedOnUserRevision: -1, admittedAt: soon } },
      ]));

    it('is refused once a lead administrator is on record', () =>
      given([registered, admitted('lead-1', true)]).when(admit({ asFirstLead: true, standings: { 'lead-1': lead() } })).thenThrows('first-lead-administrator-only', 'forbidden'));

    it('is refused while another first lead administrator is being written (its user stream not there yet)', () =>
      given([registered, admitted('lead-1', true)]).when(admit({ asFirstLead: true, standings: { 'lead-1': { revision: -1, activeLead: false } } })).thenThrows('first-lead-administrator-only'));

    it('is admitted again once an admitted addition was never written for a minute (the process stopped in between)', () =>
      given([registered, admitted('lead-1', true)]).when(admit({ asFirstLead: true, now: muchLater, standings: { 'lead-1': { revision: -1, activeLead: false } } })).then([
        { type: 'LeadAdministratorChangeAdmitted', data: { organisationId: org, userId: 'u-new', activeLead: true, cause: 'added', basedOnUserRevision: -1, admittedAt: muchLater } },
      ]));

    it('is admitted when the only lead administrator on record has left', () =>
      given([registered, admitted('lead-1', true), admitted('lead-1', false, 0)]).when(admit({ asFirstLead: true, standings: { 'lead-1': notLead() } })).then([
        { type: 'LeadAdministratorChangeAdmitted', data: { organisationId: org, userId: 'u-new', activeLead: true, cause: 'added', basedOnUserRevision: -1, admittedAt: soon } },
      ]));

    it('does not concern lead administrators adding another one', () =>
      given([registered, admitted('lead-1', true)]).when(admit({ standings: { 'lead-1': lead() } })).then([
        { type: 'LeadAdministratorChangeAdmitted', data: { organisationId: org, userId: 'u-new', activeLead: true, cause: 'added', basedOnUserRevision: -1, admittedAt: soon } },
      ]));
  });

  describe('the last active lead administrator', () => {
    const leaving = (userId: string, standings: AdmitLeadAdministratorChange['standings'], now = soon) =>
      admit({ userId, activeLead: false, cause: 'deactivated', basedOnUserRevision: standings[userId]?.revision ?? 0, standings, now });

    it('cannot leave: deactivated or demoted, by themselves or anyone', () =>
      given([registered, admitted('lead-1', true)]).when(leaving('lead-1', { 'lead-1': lead() })).thenThrows('last-lead-administrator', 'conflict'));

    it('may leave when another lead administrator remains', () =>
      given([registered, admitted('lead-1', true), admitted('lead-2', true)]).when(leaving('lead-1', { 'lead-1': lead(), 'lead-2': lead() })).then([
        { type: 'LeadAdministratorChangeAdmitted', data: { organisationId: org, userId: 'lead-1', activeLead: false, cause: 'deactivated', basedOnUserRevision: 0, admittedAt: soon } },
      ]));

    it('cannot leave while the other one’s departure is admitted and being written', () =>
      given([registered, admitted('lead-1', true), admitted('lead-2', true), admitted('lead-2', false, 0, soon)])
        .when(leaving('lead-1', { 'lead-1': lead(), 'lead-2': lead(0) }))
        .thenThrows('last-lead-administrator'));

    it('cannot count on a lead administrator whose addition is still being written', () =>
      given([registered, admitted('lead-1', true), admitted('lead-2', true, -1, soon)])
        .when(leaving('lead-1', { 'lead-1': lead(), 'lead-2': { revision: -1, activeLead: false } }))
        .thenThrows('last-lead-administrator'));

    it('counts a departure that was admitted but never written after a minute as not having happened', () =>
      given([registered, admitted('lead-1', true), admitted('lead-2', true), admitted('lead-2', false, 0)])
        .when(leaving('lead-1', { 'lead-1': lead(), 'lead-2': lead(0) }, muchLater))
        .then([{ type: 'LeadAdministratorChangeAdmitted', data: { organisationId: org, userId: 'lead-1', activeLead: false, cause: 'deactivated', basedOnUserRevision: 0, admittedAt: muchLater } }]));
  });

  it('answers not found for an organisation that is not registered', () => given().when(admit({})).thenThrows('organisation-not-found', 'not_found'));
});

describe('which user changes need the organisation’s admission', () => {
  const added = (permissionLevel: UserAdded['data']['permissionLevel']): UserAdded => ({
    type: 'UserAdded',
    data: { userId: 'u-1', organisationId: org, firstName: 'A', lastName: 'B', email: 'a@b.org', clinician: false, permissionLevel, spoc: false, professional: false, addedAt: t0 },
  });
  const ids = { userId: 'u-1', organisationId: org };
  const stateOf = (events: UserEvent[]) => events.reduce(userDecider.evolve, userDecider.initialState());
  const demoted: UserEvent = { type: 'UserPermissionLevelChanged', data: { ...ids, from: 'lead_administrator', to: 'administrator', userStatus: 'active', changedAt: soon } };
  const promoted: UserEvent = { type: 'UserPermissionLevelChanged', data: { ...ids, from: 'recorder', to: 'lead_administrator', userStatus: 'active', changedAt: soon } };
  const deactivated = (permissionLevel: UserAdded['data']['permissionLevel']): UserEvent => ({ type: 'UserDeactivated', data: { ...ids, permissionLevel, reason: null, deactivatedAt: soon } });
  const reactivated: UserEvent = { type: 'UserReactivated', data: { ...ids, permissionLevel: 'lead_administrator', reason: null, reactivatedAt: soon } };

  it.each([
    ['adding a lead administrator', [], [added('lead_administrator')], { activeLead: true, cause: 'added' }],
    ['adding a recorder', [], [added('recorder')], null],
    ['promoting an active user', [added('recorder')], [promoted], { activeLead: true, cause: 'promoted' }],
    ['promoting a deactivated user', [added('recorder'), deactivated('recorder')], [promoted], null],
    ['demoting an active lead administrator', [added('lead_administrator')], [demoted], { activeLead: false, cause: 'demoted' }],
    ['deactivating an active lead administrator', [added('lead_administrator')], [deactivated('lead_administrator')], { activeLead: false, cause: 'deactivated' }],
    ['deactivating a recorder', [added('recorder')], [deactivated('recorder')], null],
    ['reactivating a lead administrator', [added('lead_administrator'), deactivated('lead_administrator')], [reactivated], { activeLead: true, cause: 'reactivated' }],
  ] as const)('%s', (_case, before, events, expected) => {
    expect(leadStandingChange(stateOf([...before]), [...events])).toEqual(expected);
  });
});
