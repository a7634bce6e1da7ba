import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { ForbiddenError } from '@access-ledger/core';

/** What reads: everything else writes (POST, PUT, PATCH, DELETE, and whatever else a client sends). */
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Auditors read and never write: a token carrying the `auditor` role is refused on every write
 * route with 403 `auditor-read-only`, whatever else it may do (a directory role the same person
 * holds included; they act with a token without the auditor role). Registered once, after the
 * AuthGuard (it needs the verified caller) and before anything a write does (idempotency claims,
 * rate counts of new requests, the route itself).
 */
@Injectable()
export class AuditorReadOnlyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<Request>();
    if (READS.has(request.method.toUpperCase())) return true;
    if (request.principal?.roles.includes('auditor')) {
      throw new ForbiddenError('auditor-read-only', 'Auditors read the audit history; they do not write. Act with a token without the auditor role.');
    }
    return true;
  }
}
