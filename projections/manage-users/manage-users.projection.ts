import { RecordedEvent } from '@access-ledger/core';
import { Projection } from '@access-ledger/read-store';
import { PermissionLevel, USER_EVENT_TYPES, UserEvent } from '@access-ledger/directory';

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
  createdAt: string;
  updatedAt: string;
}

export const MANAGE_USERS = 'manage_users';

const evolve = (doc: ManagedUser | null, recorded: RecordedEvent): ManagedUser | null => {
  const event = recorded as unknown as UserEvent;
  const updatedAt = recorded.metadata.occurredAt;
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
      return { ...doc, status: 'deactivated', updatedAt };
    case 'UserReactivated':
      return { ...doc, status: 'active', updatedAt };
    default:
      return doc;
  }
};

/** The manage-users screen: every user of every organisation, filtered per organisation. */
export const manageUsersProjection: Projection<ManagedUser> = {
  name: MANAGE_USERS,
  collection: {
    name: 'directory_users',
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
  handles: USER_EVENT_TYPES,
  documentId: (event) => (typeof event.data?.userId === 'string' ? event.data.userId : null),
  evolve,
};
