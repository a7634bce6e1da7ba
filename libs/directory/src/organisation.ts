import { ConflictError, Decider, ForbiddenError } from '@access-ledger/core';
import { Caller, isPlatformAdmin } from './caller';

export type OrganisationRegistered = {
  type: 'OrganisationRegistered';
  data: { organisationId: string; name: string; emailDomains: string[]; registeredAt: string };
};
export type OrganisationEvent = OrganisationRegistered;

export type OrganisationState =
  | { status: 'unregistered' }
  | { status: 'registered'; organisationId: string; name: string; emailDomains: readonly string[] };

export type RegisterOrganisation = {
  type: 'RegisterOrganisation';
  organisationId: string;
  name: string;
  emailDomains: readonly string[];
  caller: Caller;
  now: string;
};
export type OrganisationCommand = RegisterOrganisation;

const register = (command: RegisterOrganisation, state: OrganisationState): OrganisationEvent[] => {
  if (!isPlatformAdmin(command.caller)) {
    throw new ForbiddenError('platform-admin-only', 'Only platform administrators register organisations.');
  }
  if (state.status === 'registered') throw new ConflictError('organisation-already-exists', 'This organisation is already registered.');
  return [
    {
      type: 'OrganisationRegistered',
      data: {
        organisationId: command.organisationId,
        name: command.name.trim(),
        emailDomains: [...new Set(command.emailDomains.map((d) => d.trim().toLowerCase()))],
        registeredAt: command.now,
      },
    },
  ];
};

export const organisationDecider: Decider<OrganisationCommand, OrganisationEvent, OrganisationState> = {
  initialState: () => ({ status: 'unregistered' }),
  evolve: (state, event) => {
    switch (event.type) {
      case 'OrganisationRegistered':
        return { status: 'registered', organisationId: event.data.organisationId, name: event.data.name, emailDomains: event.data.emailDomains };
      default:
        return state;
    }
  },
  decide: (command, state) => {
    switch (command.type) {
      case 'RegisterOrganisation':
        return register(command, state);
      default: {
        const unknown: never = command.type;
        throw new Error(`Unknown command ${String(unknown)}`);
      }
    }
  },
};
