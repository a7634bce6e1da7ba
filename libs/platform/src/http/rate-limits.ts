import { CanActivate, ExecutionContext, Inject, Injectable, Logger, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { InjectThrottlerStorage, ThrottlerModule, ThrottlerStorage, normalizeIp } from '@nestjs/throttler';
import type { NextFunction, Request, Response } from 'express';
import { TooManyRequestsError } from '@access-ledger/core';
import { TokenVerifier } from '@access-ledger/auth';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../stores/tokens';
import { managementTokenMatches } from './management';
import { sendProblem } from './problem';

/**
 * Rate limits, all counted in @nestjs/throttler's storage (in this process's memory):
 * - `ip`: requests without a valid token, per client IP, checked by an Express middleware
 *   before the body parser (`anonymousIpLimit`), so an anonymous flood costs no body reads;
 * - `caller`: authenticated requests per token `sub`, every route together (RateLimitGuard);
 * - `requester` and `organisation`: request creation (routes marked `@LimitRequestCreation()`)
 *   per requester and per target organisation, so that nobody floods a SPOC's queue.
 * A blocked key stays blocked for one window; `Retry-After` says when it opens again.
 */
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

const CREATION = 'access-ledger:limit-request-creation';
/** Counts the route against the request-creation limits (per requester and per organisation). */
export const LimitRequestCreation = () => SetMetadata(CREATION, true);

const reflector = new Reflector();
const isCreation = (context: ExecutionContext) => reflector.get<boolean>(CREATION, context.getHandler()) === true;
const requestOf = (context: ExecutionContext) => context.switchToHttp().getRequest<Request>();
/** The target organisation as sent; the validation pipe (after guards) refuses anything that is not an id. */
const organisationOf = (request: Request): string | null => {
  const id = (request.body as { organisationId?: unknown } | undefined)?.organisationId;
  return typeof id === 'string' && id.length <= 64 ? id.trim().toLowerCase() : null;
};

type Scope = 'ip' | 'caller' | 'requester' | 'organisation';
const DETAIL: Record<Scope, (limit: number) => string> = {
  ip: (limit) => `Too many requests without a valid token from this address (at most ${limit} a minute).`,
  caller: (limit) => `Too many requests from this caller (at most ${limit} a minute).`,
  requester: (limit) => `Too many access requests created by this caller (at most ${limit} an hour).`,
  organisation: (limit) => `Too many access requests for this organisation right now (at most ${limit} a minute, all requesters together).`,
};
const rateLimited = (scope: Scope, limit: number, retryAfterSeconds: number) =>
  new TooManyRequestsError('rate-limited', `${DETAIL[scope](limit)} Retry after ${Math.max(1, retryAfterSeconds)} s.`, retryAfterSeconds, { scope });

/** The throttler's storage (sliding windows, blocks, idle records swept); the limits are applied below. */
export const rateLimitModule = () => ThrottlerModule.forRoot({ throttlers: [] });

/** Counts one hit on `scope:key`; throws 429 once the key is over `limit` within `ttl`. */
async function consume(storage: ThrottlerStorage, scope: Scope, key: string, limit: number, ttl: number): Promise<void> {
  const record = await storage.increment(`${scope}:${key}`, ttl, limit, ttl, scope);
  if (record.isBlocked) throw rateLimited(scope, limit, record.timeToBlockExpire);
}

/**
 * Registered after the AuthGuard, so the caller is known. In this order: the caller's own
 * limit, then for request creation the requester's, then the organisation's — a caller refused
 * by an earlier limit uses up none of a later one (one requester cannot use up an organisation's
 * budget). Public routes (no principal) are not counted here: anonymous traffic is limited per
 * IP before the body parser.
 */
@Injectable()
export class RateLimitGuard implements CanActivate {
  constructor(
    @InjectThrottlerStorage() private readonly storage: ThrottlerStorage,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = requestOf(context);
    const principal = request.principal;
    if (!principal) return true;
    const limits = this.config.rateLimits;
    await consume(this.storage, 'caller', principal.sub, limits.perCallerPerMinute, MINUTE);
    if (!isCreation(context)) return true;
    await consume(this.storage, 'requester', principal.sub, limits.newRequestsPerRequesterPerHour, HOUR);
    const organisation = organisationOf(request);
    if (organisation !== null) await consume(this.storage, 'organisation', organisation, limits.newRequestsPerOrganisationPerMinute, MINUTE);
    return true;
  }
}

export interface AnonymousIpLimitOptions {
  readonly storage: ThrottlerStorage;
  readonly verifier: TokenVerifier;
  readonly limitPerMinute: number;
  readonly managementToken: string | null;
}

/** Paths never limited: liveness must answer whatever the traffic. */
export const RATE_LIMIT_EXEMPT_PATHS: ReadonlySet<string> = new Set(['/health', '/health/']);

/**
 * Express middleware, mounted before the JSON body parser: a request without a valid bearer
 * token (nor the management token) counts against its client IP; over the limit it gets 429
 * problem+json at once, its body unread (and the connection closed when one was announced).
 * Requests with a valid token go on and are limited per caller by the RateLimitGuard.
 */
export function anonymousIpLimit(options: AnonymousIpLimitOptions) {
  const logger = new Logger('RateLimit');
  const authenticated = async (request: Request): Promise<boolean> => {
    const authorization = request.headers.authorization;
    if (!authorization) return false;
    if (options.managementToken && managementTokenMatches(authorization, options.managementToken)) return true;
    return options.verifier.verify(authorization).then(
      (principal) => {
        request.verifiedPrincipal = principal;
        return true;
      },
      () => false,
    );
  };
  /** Null to let the request go on, else the refusal. */
  const refusalOf = async (request: Request): Promise<TooManyRequestsError | null> => {
    if (await authenticated(request)) return null;
    try {
      await consume(options.storage, 'ip', normalizeIp(request.ip ?? 'unknown'), options.limitPerMinute, MINUTE);
      return null;
    } catch (error) {
      if (error instanceof TooManyRequestsError) return error;
      throw error;
    }
  };
  return (request: Request, response: Response, next: NextFunction) => {
    if (RATE_LIMIT_EXEMPT_PATHS.has(request.path)) return next();
    refusalOf(request).then((refusal) => {
      if (refusal === null) return next();
      // The announced body stays unread: close the connection rather than drain it.
      if (request.headers['content-length'] !== undefined || request.headers['transfer-encoding'] !== undefined) response.setHeader('Connection', 'close');
      sendProblem(refusal, request, response, logger);
    }, next);
  };
}
