import { Recorded } from '@access-ledger/core';
import type { Projection } from '@access-ledger/read-store';
import { Account, PermissionLevel, UserEvent, userEvents } from '@access-ledger/directory';

/** One row of the manage-users screen. */
export interface ManagedUser extends Record<string, unknown> {
  id: string;
  organisationId: string;
  firstName: string;
  lastName: string;
  email: string;
  clinician: boolean;
  /** The level as last set (what the user gets at their next sign-in). */
  permissionLevel: PermissionLevel;
  spoc: boolean;
  professional: boolean;
  status: 'active' | 'deactivated';
  /** The account downstream: `pending` after an add, deactivation or reactivation until downstream reports, then the last outcome it reported. */
  account: Account;
  createdAt: string;
  updatedAt: string;
}

/** The read model's name (checkpoint, rebuild) is its collection's name. */
export const DIRECTORY_USERS = 'directory_users';

const evolve = (doc: ManagedUser | null, event: Recorded<UserEvent>): ManagedUser | null => {
  const updatedAt = event.metadata.occurredAt;
  if (event.type === 'UserAdded') {
    const d = event.data;
    return {
      id: d.userId,
      organisationId: d.organisationId,
      firstName: d.firstName,
      lastName: d.lastName,
      email: d.email,
      clinician: d.clinician,
      permissionLevel: d.permissionLevel,
      spoc: d.spoc,
      professional: d.professional,
      status: 'active',
      account: { status: 'pending', detail: null, at: updatedAt },
      createdAt: updatedAt,
      updatedAt,
    };
  }
  if (doc === null) return null;
  switch (event.type) {
    case 'UserPermissionLevelChanged':
      return { ...doc, permissionLevel: event.data.to, updatedAt };
    case 'UserDesignationsChanged':
      return { ...doc, spoc: event.data.spoc, professional: event.data.professional, updatedAt };
    case 'UserClinicianStatusChanged':
      return { ...doc, clinician: event.data.clinician, updatedAt };
    case 'UserDeactivated':
      return { ...doc, status: 'deactivated', account: { status: 'pending', detail: null, at: updatedAt }, updatedAt };
    case 'UserReactivated':
      return { ...doc, status: 'active', account: { status: 'pending', detail: null, at: updatedAt }, updatedAt };
    case 'UserAccountProvisioned':
      return { ...doc, account: { status: 'provisioned', detail: event.data.detail, at: updatedAt }, updatedAt };
    case 'UserAccountDisabled':
      return { ...doc, account: { status: 'disabled', detail: event.data.detail, at: updatedAt }, updatedAt };
    case 'UserAccountProvisioningFailed':
      return { ...doc, account: { status: 'failed', detail: event.data.detail, at: updatedAt }, updatedAt };
    default:
      return doc;
  }
};

/** The manage-users screen: every user of every organisation, filtered per organisation. */
export const manageUsersProjection: Projection<ManagedUser, UserEvent> = {
  name: DIRECTORY_USERS,
  /** Kept under this name until the names were made equal to the collections' (docs/decisions.md). */
  formerNames: ['manage_users'],
  collection: {
    name: DIRECTORY_USERS,
    fields: ['organisationId', 'status', 'permissionLevel', 'clinician', 'spoc', 'professional', 'updatedAt'],
    searchable: ['firstName', 'lastName', 'email'],
    indexes: [
      ['organisationId', 'lastName'],
      ['organisationId', 'status', 'lastName'],
      ['organisationId', 'permissionLevel', 'lastName'],
      ['organisationId', 'status', 'permissionLevel', 'lastName'],
      ['organisationId', 'email'],
      ['organisationId', 'status', 'email'],
      ['organisationId', 'updatedAt'],
      ['organisationId', 'status', 'updatedAt'],
      ['organisationId', 'firstName'],
    ],
  },
  handles: userEvents.types,
  parse: userEvents.parse,
  documentId: (event) => event.data.userId,
  evolve,
};

export const DIRECTORY_USER_COUNTS = 'directory_user_counts';

/** Users per organisation by status and permission level: keys `active:recorder`, `deactivated:lead_administrator`, … */
export interface UserCounts extends Record<string, unknown> {
  id: string;
}

export const countKey = (status: 'active' | 'deactivated', level: PermissionLevel) => `${status}:${level}`;

/**
 * Counters for the manage-users screen's totals (and the lead-administrator count), so a
 * page costs the same with 100,000 users. Every event states the standing it changes
 * (status and level at the time), so no user needs to be looked up.
 */
export const manageUsersCountsProjection: Projection<UserCounts, UserEvent> = {
  name: DIRECTORY_USER_COUNTS,
  formerNames: ['manage_users_counts'],
  collection: { name: DIRECTORY_USER_COUNTS, fields: [] },
  handles: userEvents.types,
  parse: userEvents.parse,
  documentId: (event) => event.data.organisationId,
  evolve: (doc, event) => {
    const counts: UserCounts = { ...(doc ?? { id: event.data.organisationId }) };
    const move = (from: string | null, to: string | null) => {
      if (from) counts[from] = Math.max(0, Number(counts[from] ?? 0) - 1);
      if (to) counts[to] = Number(counts[to] ?? 0) + 1;
    };
    switch (event.type) {
      case 'UserAdded':
        move(null, countKey('active', event.data.permissionLevel));
        break;
      case 'UserPermissionLevelChanged':
        move(countKey(event.data.userStatus, event.data.from), countKey(event.data.userStatus, event.data.to));
        break;
      case 'UserDeactivated':
        move(countKey('active', event.data.permissionLevel), countKey('deactivated', event.data.permissionLevel));
        break;
      case 'UserReactivated':
        move(countKey('deactivated', event.data.permissionLevel), countKey('active', event.data.permissionLevel));
        break;
      default:
        return doc;
    }
    return counts;
  },
};
