import { JWTPayload, createRemoteJWKSet, errors, jwtVerify, SignJWT } from 'jose';

export const PLATFORM_ROLES = ['platform_admin', 'auditor', 'integration'] as const;
export type PlatformRole = (typeof PLATFORM_ROLES)[number];

/** Who is calling, as the verified token says. */
export interface Principal {
  readonly sub: string;
  readonly email: string;
  readonly roles: readonly PlatformRole[];
  /** The `name` claim, when the identity provider sends one. */
  readonly name: string | null;
  /** Seconds since the epoch: the token's `iat`, which decides which permission level applies. */
  readonly issuedAt: number;
}

export type TokenVerifierConfig =
  | { readonly mode: 'hs256'; readonly secret: string; readonly issuer?: string; readonly audience?: string }
  | { readonly mode: 'jwks'; readonly jwksUrl: string; readonly issuer: string; readonly audience: string };

export class AuthenticationError extends Error {
  constructor(readonly code: 'missing-token' | 'invalid-token' | 'token-expired', message: string) {
    super(message);
    this.name = 'AuthenticationError';
  }
}

/** Verifies bearer tokens with jose: HS256 with a shared secret (embedded) or a JWKS (production). */
export class TokenVerifier {
  private readonly key: Uint8Array | ReturnType<typeof createRemoteJWKSet>;
  private readonly algorithms: string[];

  constructor(private readonly config: TokenVerifierConfig) {
    if (config.mode === 'hs256') {
      this.key = new TextEncoder().encode(config.secret);
      this.algorithms = ['HS256'];
    } else {
      this.key = createRemoteJWKSet(new URL(config.jwksUrl));
      this.algorithms = ['RS256', 'PS256', 'ES256', 'EdDSA'];
    }
  }

  async verify(authorization: string | undefined): Promise<Principal> {
    if (!authorization) throw new AuthenticationError('missing-token', 'Send a bearer token in the Authorization header.');
    const match = /^Bearer ([A-Za-z0-9_\-.]+)$/.exec(authorization.trim());
    if (!match) throw new AuthenticationError('invalid-token', 'The Authorization header must be "Bearer <JWT>".');
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(match[1], this.key as Uint8Array, {
        algorithms: this.algorithms,
        issuer: this.config.issuer,
        audience: this.config.audience,
        requiredClaims: ['sub', 'iat', 'exp'],
      }));
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw new AuthenticationError('token-expired', 'The token has expired.');
      throw new AuthenticationError('invalid-token', 'The token is malformed, badly signed or not meant for this service.');
    }
    const email = payload.email;
    if (typeof email !== 'string' || !email.includes('@')) {
      throw new AuthenticationError('invalid-token', 'The token carries no e-mail address.');
    }
    const roles = Array.isArray(payload.roles) ? payload.roles : [];
    return {
      sub: payload.sub!,
      email,
      roles: PLATFORM_ROLES.filter((role) => roles.includes(role)),
      name: typeof payload.name === 'string' && payload.name.trim() !== '' ? payload.name.trim().slice(0, 200) : null,
      issuedAt: payload.iat!,
    };
  }
}

export interface DevTokenClaims {
  readonly sub?: string;
  readonly email: string;
  readonly roles?: readonly string[];
  readonly name?: string;
  /** Seconds since the epoch; defaults to now. */
  readonly issuedAt?: number;
  readonly expiresIn?: string;
}

/** Mints an HS256 token for the embedded mode and for tests. */
export async function mintToken(secret: string, claims: DevTokenClaims): Promise<string> {
  const jwt = new SignJWT({ email: claims.email, roles: [...(claims.roles ?? [])], ...(claims.name ? { name: claims.name } : {}) })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub ?? claims.email.toLowerCase())
    .setIssuedAt(claims.issuedAt)
    .setExpirationTime(claims.expiresIn ?? '8h');
  return jwt.sign(new TextEncoder().encode(secret));
}
