import { ForbiddenError } from '@access-ledger/core';

/**
 * The caller as care access sees them: their `sub` (what identifies a participant), and, when
 * they are an active directory user, their user id, organisation and what they may do there
 * as effective for their token.
 */
export interface CareCaller {
  readonly id: string;
  readonly email: string;
  readonly name: string | null;
  /** Null for someone outside the directory. */
  readonly userId: string | null;
  readonly organisationId: string | null;
  /** An active administrator or lead administrator of `organisationId`. */
  readonly administrator: boolean;
  /** An active user of `organisationId` with the `professional` designation. */
  readonly professional: boolean;
  readonly auditor: boolean;
}

export const administersCareOf = (caller: CareCaller, organisationId: string) => caller.administrator && caller.organisationId === organisationId;

export const requireCareAdministrator = (caller: CareCaller, organisationId: string): void => {
  if (!administersCareOf(caller, organisationId)) {
    throw new ForbiddenError('not-an-administrator', 'Only administrators and lead administrators of this organisation manage its workflows.');
  }
};

/**
 * What the directory says about a user named as a professional, read from their stream when
 * the command is made: null when there is no such user.
 */
export type ProfessionalFacts = {
  readonly userId: string;
  readonly organisationId: string;
  readonly name: string;
  readonly professional: boolean;
  readonly active: boolean;
} | null;
