import { MalformedEventError, RecordedEvent } from '@access-ledger/core';
import { DirectoryEvent, OrganisationRegistered, UserAdded, directoryEvents, emailReservationEvents, organisationEvents, userEvents } from './index';

const stored = (event: DirectoryEvent, streamId = 'user-u1', actor = 'lead@org.example'): RecordedEvent => ({
  ...event,
  eventId: 'e1',
  streamId,
  revision: 3,
  position: 17,
  metadata: { occurredAt: '2026-03-01T09:00:00.000Z', actor: { id: 'sub-1', email: actor, roles: [] }, correlationId: 'c', causationId: 'c', commandId: 'c', schemaVersion: 1 },
});
const ids = { userId: 'u1', organisationId: 'o1' };
const at = '2026-03-01T09:00:00.000Z';
const janeAdded: UserAdded = {
  type: 'UserAdded',
  data: { ...ids, firstName: 'Jane', lastName: 'Doe', email: 'jane@nhs.net', clinician: true, permissionLevel: 'recorder', spoc: true, professional: false, addedAt: at },
};
const registered: OrganisationRegistered = {
  type: 'OrganisationRegistered',
  data: { organisationId: 'o1', name: 'Hollybrook Surgery', emailDomains: ['hollybrook.nhs.uk'], registeredAt: at },
};

/** One event of every directory type, and what the audit timeline says of it. */
const table: readonly [DirectoryEvent, string][] = [
  [
    registered,
    'Organisation Hollybrook Surgery registered by lead@org.example; e-mail domains hollybrook.nhs.uk',
  ],
  [
    { type: 'LeadAdministratorChangeAdmitted', data: { ...ids, activeLead: false, cause: 'demoted', basedOnUserRevision: 4, admittedAt: at } },
    'Lead administrator change admitted for lead@org.example: user u1 stops being an active lead administrator (demoted, on user revision 4)',
  ],
  [
    janeAdded,
    'User Jane Doe <jane@nhs.net> added by lead@org.example as recorder; clinician yes, SPOC yes, professional no',
  ],
  [
    { type: 'UserPermissionLevelChanged', data: { ...ids, from: 'recorder', to: 'administrator', userStatus: 'active', changedAt: at } },
    'Permission level of user u1 changed by lead@org.example from recorder to administrator, effective at the next sign-in',
  ],
  [
    { type: 'UserDesignationsChanged', data: { ...ids, spoc: false, professional: true, changedAt: at } },
    'Designations of user u1 set by lead@org.example: SPOC no, professional yes, effective at the next sign-in',
  ],
  [{ type: 'UserClinicianStatusChanged', data: { ...ids, clinician: false, changedAt: at } }, 'User u1 marked not a clinician by lead@org.example'],
  [
    { type: 'UserDeactivated', data: { ...ids, permissionLevel: 'administrator', reason: 'Left the practice', deactivatedAt: at } },
    'User u1 (administrator) deactivated by lead@org.example with a reason',
  ],
  [{ type: 'UserReactivated', data: { ...ids, permissionLevel: 'administrator', reason: null, reactivatedAt: at } }, 'User u1 (administrator) reactivated by lead@org.example without a reason'],
  [{ type: 'UserAccountProvisioned', data: { ...ids, detail: 'uid=jdoe', provisionedAt: at } }, 'Account of user u1 reported provisioned by lead@org.example with a detail'],
  [{ type: 'UserAccountDisabled', data: { ...ids, detail: null, disabledAt: at } }, 'Account of user u1 reported disabled by lead@org.example without a detail'],
  [{ type: 'UserAccountProvisioningFailed', data: { ...ids, detail: 'HTTP 503', failedAt: at } }, 'Account of user u1 reported failed by lead@org.example with a detail'],
  [{ type: 'EmailReserved', data: { email: 'jane@nhs.net', ...ids, reservedAt: at } }, 'E-mail address jane@nhs.net reserved for user u1 by lead@org.example'],
];

describe('the directory catalogue', () => {
  it('has a row in the table below for every event type', () => {
    expect(table.map(([event]) => event.type).sort()).toEqual([...directoryEvents.types].sort());
  });

  it.each(table.map(([event, sentence]) => [event.type, event, sentence] as const))('describes %s in one sentence: who did what', (_type, event, sentence) => {
    expect(directoryEvents.describe(stored(event))).toBe(sentence);
  });

  it.each(table.map(([event]) => [event.type, event] as const))('reads %s as stored (every directory event is at schema version 1)', (type, event) => {
    const recorded = stored(event);
    expect(directoryEvents.parse(recorded)).toBe(recorded);
    expect(directoryEvents.schemaVersion(type)).toBe(1);
  });

  it('refuses a user event missing a field, naming the event', () => {
    const { email: _email, ...withoutEmail } = janeAdded.data;
    expect(() => directoryEvents.parse({ ...stored(janeAdded), data: withoutEmail })).toThrow(
      new MalformedEventError('directory events', { streamId: 'user-u1', revision: 3, position: 17, type: 'UserAdded' }, 'data.email should be string, is missing'),
    );
  });

  it('refuses a permission level it does not know', () => {
    const [changed] = table[3];
    expect(() => directoryEvents.parse({ ...stored(changed), data: { ...changed.data, to: 'owner' } })).toThrow(/data\.to should be one of "recorder", "administrator", "lead_administrator"/);
  });

  it('reads each kind of stream through its own part of the catalogue, refusing the other kinds’ events', () => {
    const organisationEvent = stored(registered, 'organisation-o1');
    expect(organisationEvents.parse(organisationEvent)).toBe(organisationEvent);
    expect(() => userEvents.parse(organisationEvent)).toThrow(/cannot be read as user stream events: "OrganisationRegistered" is not one of its event types/);
    expect(() => emailReservationEvents.parse(stored(janeAdded))).toThrow(/cannot be read as e-mail reservation stream events: "UserAdded"/);
    expect([...organisationEvents.types, ...userEvents.types, ...emailReservationEvents.types].sort()).toEqual([...directoryEvents.types].sort());
  });
});
