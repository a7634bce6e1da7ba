import { applyDecorators, CanActivate, ExecutionContext, Inject, Injectable, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ApiExtension } from '@nestjs/swagger';
import type { Request } from 'express';
import { TokenVerifier } from '@access-ledger/auth';
import { PUBLIC_EXTENSION } from '../http/openapi';

const PUBLIC = 'access-ledger:public';
/** Marks a route that needs no token (health, metrics, API docs); the OpenAPI document says so (`security: []`, see http/openapi.ts). */
export const Public = () => applyDecorators(SetMetadata(PUBLIC, true), ApiExtension(PUBLIC_EXTENSION, true));

export const TOKEN_VERIFIER = 'TokenVerifier';

/**
 * Further checks on a verified caller (e.g. the directory refuses deactivated users on
 * every call). Registered by the contexts that need one.
 */
export interface PrincipalCheck {
  check(request: Request): Promise<void>;
}
export const PRINCIPAL_CHECKS = 'PrincipalChecks';

/** Every route needs a valid bearer token unless marked @Public(). */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    @Inject(TOKEN_VERIFIER) private readonly verifier: TokenVerifier,
    @Inject(PRINCIPAL_CHECKS) private readonly checks: PrincipalCheck[],
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, [context.getHandler(), context.getClass()])) return true;
    const request = context.switchToHttp().getRequest<Request>();
    // Verified once already when the rate limits looked at it before the body was read.
    request.principal = request.verifiedPrincipal ?? (await this.verifier.verify(request.header('authorization')));
    for (const check of this.checks) await check.check(request);
    return true;
  }
}
