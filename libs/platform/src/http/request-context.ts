import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import { Actor, CommandContext, ValidationError, deriveId, newId } from '@access-ledger/core';
import { Principal } from '@access-ledger/auth';
import { IDEMPOTENCY_KEY, keyScopeOf } from './idempotency';

declare module 'express-serve-static-core' {
  interface Request {
    correlationId?: string;
    principal?: Principal;
    /** The bearer token as verified before the body was read (rate limits), for the auth guard to take over unverified twice. */
    verifiedPrincipal?: Principal;
  }
}


/** What a controller knows about the call: who, which request, which command. */
export interface RequestContext {
  readonly principal: Principal;
  readonly correlationId: string;
  /** From the Idempotency-Key and the body's fingerprint when sent: a retry is then the same command. */
  readonly commandId: string;
  readonly now: string;
}

export const requestContextOf = (request: Request): RequestContext => {
  const principal = request.principal;
  if (!principal) throw new Error('No principal: the route is public');
  const key = request.header('idempotency-key');
  if (key !== undefined && !IDEMPOTENCY_KEY.test(key)) {
    throw new ValidationError('invalid-idempotency-key', 'Idempotency-Key must be 1 to 255 visible ASCII characters.');
  }
  return {
    principal,
    correlationId: request.correlationId ?? newId(),
    // The body's fingerprint is part of it: even a key reused with another body can never make the same command.
    commandId: key ? deriveId('idempotency', ...keyScopeOf(request), key, request.idempotencyFingerprint ?? '') : newId(),
    now: new Date().toISOString(),
  };
};

export const Ctx = createParamDecorator((_: unknown, context: ExecutionContext) => requestContextOf(context.switchToHttp().getRequest<Request>()));

/** The command context for the domain, with the organisation and roles the caller acted with. */
export const commandContext = (rc: RequestContext, scope: { organisationId?: string | null; roles?: readonly string[] } = {}): CommandContext => {
  const actor: Actor = {
    id: rc.principal.sub,
    email: rc.principal.email,
    organisationId: scope.organisationId ?? null,
    roles: [...rc.principal.roles, ...(scope.roles ?? [])],
  };
  return { commandId: rc.commandId, actor, now: rc.now, correlationId: rc.correlationId, causationId: rc.commandId };
};

/** Parses If-Match (`"3"`, `W/"3"` or `3`) into a stream revision; absent -> undefined. */
export const ifMatchRevision = (request: Request): number | undefined => {
  const header = request.header('if-match');
  if (header === undefined) return undefined;
  const match = /^(?:W\/)?"?(-?\d+)"?$/.exec(header.trim());
  if (!match) throw new ValidationError('invalid-if-match', 'If-Match must be the ETag you received, e.g. "3".');
  return Number(match[1]);
};

export const etagOf = (revision: number) => `"${revision}"`;

/** X-Min-Position: the position a query must reflect (read-your-writes). */
export const minPositionOf = (request: Request): number | undefined => {
  const header = request.header('x-min-position');
  if (header === undefined) return undefined;
  if (!/^\d{1,15}$/.test(header)) throw new ValidationError('invalid-min-position', 'X-Min-Position must be a position returned by a write.');
  return Number(header);
};
