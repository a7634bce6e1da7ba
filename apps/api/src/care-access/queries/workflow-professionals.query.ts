import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { CareCaller, careReadPolicy } from '@access-ledger/care-access';
import { CareStreams } from '../care-streams';

export interface WorkflowProfessionalItem {
  professionalId: string;
  name: string;
  days: number;
  reason: string;
  addedAt: string;
}

export class WorkflowProfessionalsQuery extends Query<{ items: WorkflowProfessionalItem[]; revision: number }> {
  constructor(readonly caller: CareCaller, readonly organisationId: string, readonly workflowId: string) {
    super();
  }
}

/** The professionals added to a workflow up front (option 1), from its stream, with its version. */
@QueryHandler(WorkflowProfessionalsQuery)
export class WorkflowProfessionalsHandler implements IQueryHandler<WorkflowProfessionalsQuery> {
  constructor(private readonly streams: CareStreams) {}

  async execute({ caller, organisationId, workflowId }: WorkflowProfessionalsQuery) {
    careReadPolicy.organisationWorkflows(caller, organisationId);
    const { state, revision } = await this.streams.existingWorkflowVersion(workflowId, organisationId);
    const items = state.professionals.map((p) => ({ professionalId: p.professional.id, name: p.professional.name, days: p.days, reason: p.reason, addedAt: p.addedAt }));
    return { items, revision };
  }
}
