import { ConflictError, Decider, ForbiddenError, NotFoundError } from '@access-ledger/core';
import { Caller, isPlatformAdmin } from './caller';
import { organisationEvents } from './catalogue';
import { AdmitLeadAdministratorChange, Admission, LeadAdministratorChangeAdmitted, admitLeadChange } from './lead-administrators';

export type OrganisationRegistered = {
  type: 'OrganisationRegistered';
  data: { organisationId: string; name: string; emailDomains: string[]; registeredAt: string };
};
export type OrganisationEvent = OrganisationRegistered | LeadAdministratorChangeAdmitted;

export type OrganisationState =
  | { status: 'none' }
  | {
      status: 'registered';
      organisationId: string;
      name: string;
      emailDomains: readonly string[];
      /** Every admitted change of a lead administrator's standing, oldest first (see lead-administrators.ts). */
      leadAdmissions: readonly Admission[];
    };

export type RegisterOrganisation = {
  type: 'RegisterOrganisation';
  organisationId: string;
  name: string;
  emailDomains: readonly string[];
  caller: Caller;
  now: string;
};
export type OrganisationCommand = RegisterOrganisation | AdmitLeadAdministratorChange;

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
  initialState: () => ({ status: 'none' }),
  catalogue: organisationEvents,
  evolve: (state, event) => {
    switch (event.type) {
      case 'OrganisationRegistered':
        return { status: 'registered', organisationId: event.data.organisationId, name: event.data.name, emailDomains: event.data.emailDomains, leadAdmissions: [] };
      case 'LeadAdministratorChangeAdmitted': {
        if (state.status !== 'registered') return state;
        const { userId, activeLead, basedOnUserRevision, admittedAt } = event.data;
        return { ...state, leadAdmissions: [...state.leadAdmissions, { userId, activeLead, basedOnUserRevision, admittedAt }] };
      }
      default:
        return state;
    }
  },
  decide: (command, state) => {
    switch (command.type) {
      case 'RegisterOrganisation':
        return register(command, state);
      case 'AdmitLeadAdministratorChange':
        if (state.status !== 'registered') throw new NotFoundError('organisation-not-found', 'No such organisation.');
        return admitLeadChange(state.organisationId, state.leadAdmissions, command);
      default: {
        const unknown: never = command;
        throw new Error(`Unknown command ${String(unknown)}`);
      }
    }
  },
};
