import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { createHash, timingSafeEqual } from 'node:crypto';
import { DomainError, ForbiddenError } from '@access-ledger/core';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../stores/tokens';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** `Authorization: Bearer <token>` carries exactly the management token; compared in constant time (of equal-length digests). */
export const managementTokenMatches = (authorization: string, token: string): boolean => {
  const match = /^Bearer (\S+)$/.exec(authorization.trim());
  const same = timingSafeEqual(digest(match?.[1] ?? ''), digest(token));
  return match !== null && same;
};

/**
 * Operator-only routes (metrics, readiness details): they tell an attacker which stores run,
 * how far behind the projections are and what the process is doing. Served only with
 * `Authorization: Bearer <MANAGEMENT_TOKEN>`; without a configured token, to nobody.
 */
@Injectable()
export class ManagementGuard implements CanActivate {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  canActivate(context: ExecutionContext): boolean {
    const token = this.config.managementToken;
    if (token === null) {
      throw new ForbiddenError('management-disabled', 'This operator route is served only when MANAGEMENT_TOKEN is configured.');
    }
    const authorization = context.switchToHttp().getRequest<Request>().header('authorization');
    if (!authorization) {
      throw new DomainError('unauthorized', 'management-token-required', 'Send the management token: "Authorization: Bearer <MANAGEMENT_TOKEN>".');
    }
    if (!managementTokenMatches(authorization, token)) throw new DomainError('unauthorized', 'invalid-management-token', 'The management token is not valid.');
    return true;
  }
}
