import { ExistingWorkflow, ParticipantState, promptsFor } from '@access-ledger/care-access';

/** An option-1 professional the participant has not answered yet, as enrolling and the prompts query show it. */
export interface ConsentPrompt {
  readonly professionalId: string;
  readonly name: string;
  readonly days: number;
  readonly reason: string;
}

export const consentPromptsOf = (workflow: ExistingWorkflow, participant: ParticipantState): ConsentPrompt[] =>
  promptsFor(workflow, participant).map((p) => ({ professionalId: p.professional.id, name: p.professional.name, days: p.days, reason: p.reason }));
