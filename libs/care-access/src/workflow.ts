import { ConflictError, Decider, NotFoundError, ValidationError } from '@access-ledger/core';
import { CareCaller, ProfessionalFacts, requireCareAdministrator } from './caller';
import { workflowEvents } from './catalogue';
import { ProfessionalRef, WorkflowEvent } from './events';

// ---- State --------------------------------------------------------------------------
/** A professional added up front (option 1): participants are asked once about them; days and reason never change. */
export interface WorkflowProfessional {
  readonly professional: ProfessionalRef;
  readonly days: number;
  readonly reason: string;
  readonly addedAt: string;
}

export type WorkflowState =
  | { status: 'none' }
  | {
      status: 'active';
      workflowId: string;
      organisationId: string;
      name: string;
      project: string | null;
      allowAppendProfessionals: boolean;
      /** In the order they were added. */
      professionals: readonly WorkflowProfessional[];
      createdAt: string;
    };
export type ExistingWorkflow = Exclude<WorkflowState, { status: 'none' }>;

const evolve = (state: WorkflowState, event: WorkflowEvent): WorkflowState => {
  if (event.type === 'WorkflowCreated') {
    const d = event.data;
    return {
      status: 'active',
      workflowId: d.workflowId,
      organisationId: d.organisationId,
      name: d.name,
      project: d.project,
      allowAppendProfessionals: d.allowAppendProfessionals,
      professionals: [],
      createdAt: d.createdAt,
    };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'WorkflowSettingsChanged':
      return { ...state, allowAppendProfessionals: event.data.allowAppendProfessionals };
    case 'ProfessionalAddedToWorkflow': {
      const { professional, days, reason, addedAt } = event.data;
      return { ...state, professionals: [...state.professionals, { professional, days, reason, addedAt }] };
    }
    default:
      return state;
  }
};

export const professionalOf = (workflow: ExistingWorkflow, professionalId: string): WorkflowProfessional | undefined =>
  workflow.professionals.find((p) => p.professional.id === professionalId);

// ---- Commands -----------------------------------------------------------------------
interface Common {
  caller: CareCaller;
  /** The organisation in the path: a workflow of another organisation reads as missing. */
  organisationId: string;
  now: string;
}
export type CreateWorkflow = Common & {
  type: 'CreateWorkflow';
  workflowId: string;
  organisationExists: boolean;
  name: string;
  project: string | null;
  allowAppendProfessionals: boolean;
};
export type ChangeWorkflowSettings = Common & { type: 'ChangeWorkflowSettings'; allowAppendProfessionals: boolean };
/** The professionals as the directory knows them (`ProfessionalFacts`), in the order asked for. */
export type AddProfessionals = Common & {
  type: 'AddProfessionals';
  professionals: readonly { readonly id: string; readonly facts: ProfessionalFacts }[];
  days: number;
  reason: string;
};
export type WorkflowCommand = CreateWorkflow | ChangeWorkflowSettings | AddProfessionals;

export const MAX_DAYS = 3650;
const MAX_REASON = 500;

const text = (field: string, value: string, max: number, code: string) => {
  const trimmed = value.trim();
  if (trimmed.length === 0 || trimmed.length > max) throw new ValidationError(code, `${field} must be 1 to ${max} characters.`, { field });
  return trimmed;
};
export const checkReason = (reason: string) => text('reason', reason, MAX_REASON, 'invalid-reason');

/**
 * Only active users of the workflow's organisation with the `professional` designation are
 * linked to it. A user of another organisation reads as missing, like in the directory.
 */
export const checkProfessional = (id: string, facts: ProfessionalFacts, organisationId: string): ProfessionalRef => {
  if (facts === null || facts.organisationId !== organisationId) {
    throw new NotFoundError('professional-not-found', 'No such user in this organisation.', { professionalId: id });
  }
  if (!facts.professional) throw new ValidationError('not-a-professional', 'This user does not have the professional designation.', { professionalId: id });
  if (!facts.active) throw new ConflictError('professional-deactivated', 'This professional is deactivated.', { professionalId: id });
  return { id: facts.userId, name: facts.name };
};

const existing = (command: Exclude<WorkflowCommand, CreateWorkflow>, state: WorkflowState): ExistingWorkflow => {
  requireCareAdministrator(command.caller, command.organisationId);
  if (state.status === 'none' || state.organisationId !== command.organisationId) throw new NotFoundError('workflow-not-found', 'No such workflow in this organisation.');
  return state;
};

const create = (command: CreateWorkflow, state: WorkflowState): WorkflowEvent[] => {
  if (!command.organisationExists) throw new NotFoundError('organisation-not-found', 'No such organisation.');
  requireCareAdministrator(command.caller, command.organisationId);
  if (state.status !== 'none') throw new ConflictError('workflow-already-exists', 'This workflow already exists.');
  return [
    {
      type: 'WorkflowCreated',
      data: {
        workflowId: command.workflowId,
        organisationId: command.organisationId,
        name: text('name', command.name, 200, 'invalid-name'),
        project: command.project === null ? null : text('project', command.project, 200, 'invalid-project'),
        allowAppendProfessionals: command.allowAppendProfessionals,
        createdAt: command.now,
      },
    },
  ];
};

const changeSettings = (command: ChangeWorkflowSettings, state: WorkflowState): WorkflowEvent[] => {
  const workflow = existing(command, state);
  if (workflow.allowAppendProfessionals === command.allowAppendProfessionals) return [];
  const { workflowId, organisationId } = workflow;
  return [{ type: 'WorkflowSettingsChanged', data: { workflowId, organisationId, allowAppendProfessionals: command.allowAppendProfessionals, changedAt: command.now } }];
};

/**
 * Option 1. Days are set once per professional and never changed or extended: adding a
 * professional again is a conflict, whatever the days. All or none of the list is added.
 */
const addProfessionals = (command: AddProfessionals, state: WorkflowState): WorkflowEvent[] => {
  const workflow = existing(command, state);
  if (command.professionals.length === 0) throw new ValidationError('no-professionals', 'Name at least one professional.', { field: 'professionalIds' });
  if (!Number.isInteger(command.days) || command.days < 1 || command.days > MAX_DAYS) {
    throw new ValidationError('invalid-days', `days must be a whole number from 1 to ${MAX_DAYS}.`, { field: 'days' });
  }
  const reason = checkReason(command.reason);
  const seen = new Set<string>();
  return command.professionals.map(({ id, facts }) => {
    if (seen.has(id)) throw new ValidationError('duplicate-professional', 'A professional is named twice.', { field: 'professionalIds', professionalId: id });
    seen.add(id);
    const professional = checkProfessional(id, facts, workflow.organisationId);
    if (professionalOf(workflow, id)) {
      throw new ConflictError('professional-already-added', 'This professional is already on the workflow; their days cannot be changed or extended.', { professionalId: id });
    }
    return {
      type: 'ProfessionalAddedToWorkflow' as const,
      data: { workflowId: workflow.workflowId, organisationId: workflow.organisationId, professional, days: command.days, reason, addedAt: command.now },
    };
  });
};

export const workflowDecider: Decider<WorkflowCommand, WorkflowEvent, WorkflowState> = {
  initialState: () => ({ status: 'none' }),
  evolve,
  catalogue: workflowEvents,
  decide: (command, state) => {
    switch (command.type) {
      case 'CreateWorkflow':
        return create(command, state);
      case 'ChangeWorkflowSettings':
        return changeSettings(command, state);
      case 'AddProfessionals':
        return addProfessionals(command, state);
      default: {
        const unknown: never = command;
        throw new Error(`Unknown command ${JSON.stringify(unknown)}`);
      }
    }
  },
};
