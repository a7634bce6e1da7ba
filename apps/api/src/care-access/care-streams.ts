import { Inject, Injectable } from '@nestjs/common';
import { NotFoundError, fold } from '@access-ledger/core';
import {
  ExistingWorkflow,
  ParticipantState,
  ProfessionalFacts,
  participantDecider,
  participantStream,
  workflowDecider,
  workflowStream,
} from '@access-ledger/care-access';
import { EventStore } from '@access-ledger/event-store';
import { EVENT_STORE } from '@access-ledger/platform';
import { currentRights, fullNameOf } from '@access-ledger/directory';
import { DirectoryAccess } from '../directory/directory-access';

/**
 * What the care-access use cases read to complete a command, all from the event streams
 * (strongly consistent): a workflow, a participant, and what the directory says about a
 * professional now.
 */
@Injectable()
export class CareStreams {
  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    private readonly directory: DirectoryAccess,
  ) {}

  async workflow(workflowId: string): Promise<{ state: ExistingWorkflow | null; revision: number }> {
    const recorded = await this.events.readStream(workflowStream(workflowId));
    const state = fold(workflowDecider, recorded);
    return { state: state.status === 'none' ? null : state, revision: recorded.length - 1 };
  }

  /** The workflow, or 404; with `organisationId`, a workflow of another organisation reads as missing too. */
  async existingWorkflow(workflowId: string, organisationId?: string): Promise<ExistingWorkflow> {
    return (await this.existingWorkflowVersion(workflowId, organisationId)).state;
  }

  /** As `existingWorkflow`, with the stream's revision (the ETag of a view of it). */
  async existingWorkflowVersion(workflowId: string, organisationId?: string): Promise<{ state: ExistingWorkflow; revision: number }> {
    const { state, revision } = await this.workflow(workflowId);
    if (state === null || (organisationId !== undefined && state.organisationId !== organisationId)) {
      throw new NotFoundError('workflow-not-found', organisationId === undefined ? 'No such workflow.' : 'No such workflow in this organisation.');
    }
    return { state, revision };
  }

  async participant(participantId: string): Promise<ParticipantState> {
    return fold(participantDecider, await this.events.readStream(participantStream(participantId)));
  }

  async professional(userId: string): Promise<ProfessionalFacts> {
    const { state } = await this.directory.user(userId);
    if (state === null) return null;
    const rights = currentRights(state);
    return { userId: state.userId, organisationId: state.organisationId, name: fullNameOf(state), professional: rights.professional, active: state.status === 'active' };
  }
}
