import { ForbiddenError } from '@access-ledger/core';
import { CareCaller, administersCareOf } from './caller';

/**
 * Who reads what of care access: every query of this context asks one of these rules first.
 * Pure functions of the reader (as effective for their token) and the resource; a rule returns
 * the scope the reader may see, or throws a ForbiddenError with a stable code.
 * test/read-policy.api.spec.ts shows them as a table per endpoint.
 */
export const careReadPolicy = {
  /** An organisation's workflows, their professionals and participants overview: its administrators, and auditors. */
  organisationWorkflows(reader: CareCaller, organisationId: string): void {
    if (!administersCareOf(reader, organisationId) && !reader.auditor) {
      throw new ForbiddenError('not-an-administrator', 'Only administrators of this organisation, and auditors, see its workflows.');
    }
  },

  /** The participants a professional may see now: active professionals, their own only. */
  myParticipants(reader: CareCaller): { readonly professionalId: string } {
    if (!reader.professional || reader.userId === null) {
      throw new ForbiddenError('not-a-professional', 'Only professionals see the participants whose results they may see.');
    }
    return { professionalId: reader.userId };
  },

  /** Who may see my results, and who asked: anyone authenticated, about themselves only (by `sub`). */
  myAccess(reader: CareCaller): { readonly participantId: string } {
    return { participantId: reader.id };
  },

  /** The consent prompts still open for me in a workflow: anyone authenticated, their own only (by `sub`). */
  myConsentPrompts(reader: CareCaller): { readonly participantId: string } {
    return { participantId: reader.id };
  },
};
