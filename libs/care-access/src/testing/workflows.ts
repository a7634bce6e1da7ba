import { ExistingWorkflow, ProfessionalRef, WorkflowEvent, workflowDecider } from '../index';

export interface WorkflowFixture {
  readonly workflowId?: string;
  readonly organisationId?: string;
  readonly allowAppendProfessionals?: boolean;
  /** When it was created and its professionals added. */
  readonly at?: string;
  /** Added up front (option 1), in this order; the reason defaults to `Reason for <id>`. */
  readonly professionals?: readonly (ProfessionalRef & { readonly days: number; readonly reason?: string })[];
}

/** A workflow as the participant commands carry it, folded from its own events (for specs). */
export const workflowOf = ({ workflowId = 'wf-1', organisationId = 'o1', allowAppendProfessionals = false, at = '2026-05-01T00:00:00.000Z', professionals = [] }: WorkflowFixture = {}): ExistingWorkflow => {
  const events: WorkflowEvent[] = [
    { type: 'WorkflowCreated', data: { workflowId, organisationId, name: `Workflow ${workflowId}`, project: null, allowAppendProfessionals, createdAt: at } },
    ...professionals.map(({ days, reason, ...professional }): WorkflowEvent => ({
      type: 'ProfessionalAddedToWorkflow',
      data: { workflowId, organisationId, professional, days, reason: reason ?? `Reason for ${professional.id}`, addedAt: at },
    })),
  ];
  return events.reduce(workflowDecider.evolve, workflowDecider.initialState()) as ExistingWorkflow;
};
