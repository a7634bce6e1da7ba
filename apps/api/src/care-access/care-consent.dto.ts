import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { DomainEvent } from '@access-ledger/core';
import { writtenEvent } from './care-participants';

export const CONSENT_DECISIONS = ['accept', 'decline'] as const;
export type ConsentDecision = (typeof CONSENT_DECISIONS)[number];

/** A participant's answer to a consent prompt or to an assignment's request. */
export class ConsentDecisionDto {
  @ApiProperty({ enum: CONSENT_DECISIONS })
  @IsIn(CONSENT_DECISIONS, { message: 'decision must be accept or decline' })
  decision!: ConsentDecision;
}

/** What a consent answer leads to: a grant until `until`, or nothing. */
export interface ConsentAnswered {
  readonly status: 'active' | 'declined';
  readonly until?: string;
  readonly grantId?: string;
  readonly position: number;
}

/** The answer from the event the decision wrote (or wrote earlier, for a retried command). */
export const consentAnswerOf = (result: { readonly events: readonly DomainEvent[]; readonly position: number }): ConsentAnswered => {
  const given = writtenEvent(result.events, 'ConsentGiven');
  return given
    ? { status: 'active', until: given.data.until, grantId: given.data.grantId, position: result.position }
    : { status: 'declined', position: result.position };
};
