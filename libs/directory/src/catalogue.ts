import { defineCatalogue } from '@access-ledger/core';
import { LEAD_STANDING_CAUSES } from './lead-administrators';
import { PERMISSION_LEVELS } from './permissions';
import type { EmailReservationEvent } from './email-reservation';
import type { OrganisationEvent } from './organisation';
import type { UserEvent } from './user';

/** Every event the directory records, in any of its streams. */
export type DirectoryEvent = OrganisationEvent | UserEvent | EmailReservationEvent;

const yesNo = (value: boolean) => (value ? 'yes' : 'no');
const withReason = (reason: string | null) => (reason === null ? 'without a reason' : 'with a reason');
const withDetail = (detail: string | null) => (detail === null ? 'without a detail' : 'with a detail');

/**
 * The directory's catalogue: the current shape of each event's data (docs/events.md), how
 * older versions are brought up to it (none yet: every directory event is at version 1), and
 * one sentence per event for the audit timeline. Free text (reasons) stays out of the sentence:
 * it is in the event's data, and a sentence stays one line.
 */
export const directoryEvents = defineCatalogue<DirectoryEvent>('directory events', {
  OrganisationRegistered: {
    shape: { organisationId: 'string', name: 'string', emailDomains: 'string[]', registeredAt: 'string' },
    describe: ({ data }, { metadata }) =>
      `Organisation ${data.name} registered by ${metadata.actor.email}; e-mail domains ${data.emailDomains.length > 0 ? data.emailDomains.join(', ') : 'any'}`,
  },
  LeadAdministratorChangeAdmitted: {
    shape: { organisationId: 'string', userId: 'string', activeLead: 'boolean', cause: LEAD_STANDING_CAUSES, basedOnUserRevision: 'number', admittedAt: 'string' },
    describe: ({ data }, { metadata }) =>
      `Lead administrator change admitted for ${metadata.actor.email}: user ${data.userId} ${data.activeLead ? 'becomes' : 'stops being'} an active lead administrator (${data.cause}, on user revision ${data.basedOnUserRevision})`,
  },
  UserAdded: {
    shape: {
      userId: 'string',
      organisationId: 'string',
      firstName: 'string',
      lastName: 'string',
      email: 'string',
      clinician: 'boolean',
      permissionLevel: PERMISSION_LEVELS,
      spoc: 'boolean',
      professional: 'boolean',
      addedAt: 'string',
    },
    describe: ({ data }, { metadata }) =>
      `User ${data.firstName} ${data.lastName} <${data.email}> added by ${metadata.actor.email} as ${data.permissionLevel}; clinician ${yesNo(data.clinician)}, SPOC ${yesNo(data.spoc)}, professional ${yesNo(data.professional)}`,
  },
  UserPermissionLevelChanged: {
    shape: { userId: 'string', organisationId: 'string', from: PERMISSION_LEVELS, to: PERMISSION_LEVELS, userStatus: ['active', 'deactivated'], changedAt: 'string' },
    describe: ({ data }, { metadata }) =>
      `Permission level of user ${data.userId} changed by ${metadata.actor.email} from ${data.from} to ${data.to}, effective at the next sign-in`,
  },
  UserDesignationsChanged: {
    shape: { userId: 'string', organisationId: 'string', spoc: 'boolean', professional: 'boolean', changedAt: 'string' },
    describe: ({ data }, { metadata }) =>
      `Designations of user ${data.userId} set by ${metadata.actor.email}: SPOC ${yesNo(data.spoc)}, professional ${yesNo(data.professional)}, effective at the next sign-in`,
  },
  UserClinicianStatusChanged: {
    shape: { userId: 'string', organisationId: 'string', clinician: 'boolean', changedAt: 'string' },
    describe: ({ data }, { metadata }) => `User ${data.userId} marked ${data.clinician ? 'a clinician' : 'not a clinician'} by ${metadata.actor.email}`,
  },
  UserDeactivated: {
    shape: { userId: 'string', organisationId: 'string', permissionLevel: PERMISSION_LEVELS, reason: 'string?', deactivatedAt: 'string' },
    describe: ({ data }, { metadata }) => `User ${data.userId} (${data.permissionLevel}) deactivated by ${metadata.actor.email} ${withReason(data.reason)}`,
  },
  UserReactivated: {
    shape: { userId: 'string', organisationId: 'string', permissionLevel: PERMISSION_LEVELS, reason: 'string?', reactivatedAt: 'string' },
    describe: ({ data }, { metadata }) => `User ${data.userId} (${data.permissionLevel}) reactivated by ${metadata.actor.email} ${withReason(data.reason)}`,
  },
  UserAccountProvisioned: {
    shape: { userId: 'string', organisationId: 'string', detail: 'string?', provisionedAt: 'string' },
    describe: ({ data }, { metadata }) => `Account of user ${data.userId} reported provisioned by ${metadata.actor.email} ${withDetail(data.detail)}`,
  },
  UserAccountDisabled: {
    shape: { userId: 'string', organisationId: 'string', detail: 'string?', disabledAt: 'string' },
    describe: ({ data }, { metadata }) => `Account of user ${data.userId} reported disabled by ${metadata.actor.email} ${withDetail(data.detail)}`,
  },
  UserAccountProvisioningFailed: {
    shape: { userId: 'string', organisationId: 'string', detail: 'string?', failedAt: 'string' },
    describe: ({ data }, { metadata }) => `Account of user ${data.userId} reported failed by ${metadata.actor.email} ${withDetail(data.detail)}`,
  },
  EmailReserved: {
    shape: { email: 'string', userId: 'string', organisationId: 'string', reservedAt: 'string' },
    describe: ({ data }, { metadata }) => `E-mail address ${data.email} reserved for user ${data.userId} by ${metadata.actor.email}`,
  },
});

/** What each kind of directory stream holds: the catalogue its decider reads it through. */
export const organisationEvents = directoryEvents.only('organisation stream events', ['OrganisationRegistered', 'LeadAdministratorChangeAdmitted']);
export const userEvents = directoryEvents.only('user stream events', [
  'UserAdded',
  'UserPermissionLevelChanged',
  'UserDesignationsChanged',
  'UserClinicianStatusChanged',
  'UserDeactivated',
  'UserReactivated',
  'UserAccountProvisioned',
  'UserAccountDisabled',
  'UserAccountProvisioningFailed',
]);
export const emailReservationEvents = directoryEvents.only('e-mail reservation stream events', ['EmailReserved']);
