import { createSecretKey, KeyObject } from 'node:crypto';
import { JWTPayload, createRemoteJWKSet, errors, jwtVerify, SignJWT } from 'jose';
import { LRUCache } from 'lru-cache';

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

/** How old a token may be and how far clocks may drift; both apply in either mode. */
export interface TokenLifetime {
  /** A token older than this (from its `iat`) is refused whatever its `exp`; default 12 hours. */
  readonly maxTokenAgeSeconds?: number;
  /** Allowed drift between the identity provider's clock and ours, for `iat`, `nbf` and `exp`; default 60 s. */
  readonly clockSkewSeconds?: number;
}

export type TokenVerifierConfig = TokenLifetime &
  (
    | { readonly mode: 'hs256'; readonly secret: string; readonly issuer?: string; readonly audience?: string }
    | { readonly mode: 'jwks'; readonly jwksUrl: string; readonly issuer: string; readonly audience: string }
  );

export const DEFAULT_MAX_TOKEN_AGE_SECONDS = 12 * 60 * 60;
export const DEFAULT_CLOCK_SKEW_SECONDS = 60;
/** OpenID Connect: `sub` is at most 255 ASCII characters; we accept any text of that length. */
const MAX_SUB_LENGTH = 255;
/** RFC 5321: a path is at most 256 octets including the angle brackets. */
const MAX_EMAIL_LENGTH = 254;
const MAX_NAME_LENGTH = 200;
/** Controls (C0, DEL, C1), bidirectional embeddings, overrides and isolates, and lone surrogates: never part of an identity. */
const UNSAFE_IN_CLAIM = /[\p{Cc}\p{Cs}\u202A-\u202E\u2066-\u2069]/u;
const EMAIL_CLAIM = /^[^\s@]+@[^\s@]+$/u;

/** Whether text can be a token's `sub` (what identifies a person, e.g. a participant in a path): 1–255 characters, none unsafe. */
export const isValidSub = (sub: string): boolean => sub.length > 0 && sub.length <= MAX_SUB_LENGTH && !UNSAFE_IN_CLAIM.test(sub);
const INVISIBLE_ONLY = /^[\p{White_Space}\p{Cf}\p{Default_Ignorable_Code_Point}\u2800]*$/u;

export class AuthenticationError extends Error {
  constructor(readonly code: 'missing-token' | 'invalid-token' | 'token-expired', message: string) {
    super(message);
    this.name = 'AuthenticationError';
  }
}

/** How many verified tokens a verifier keeps, and for how long it trusts a verification before checking the signature again. */
export const KEPT_TOKENS = 5000;
export const KEPT_TOKEN_SECONDS = 60;

interface VerifiedToken {
  readonly principal: Principal;
  readonly exp: number;
  /** Seconds since the epoch when the signature was checked. */
  readonly verifiedAt: number;
}

/**
 * Verifies bearer tokens with jose: HS256 with a shared secret (embedded) or a JWKS (production).
 * A token verified in the last KEPT_TOKEN_SECONDS is not verified again (a client sends the same
 * one on every call): its claims cannot change, and of its checks only expiry and maximum age
 * can turn with time, so those are checked again on every call; after the minute the signature
 * is checked again, so a key withdrawn from the JWKS stops its tokens as jose's own key cache does.
 */
export class TokenVerifier {
  /** Verified tokens by their text; the least recently used goes beyond KEPT_TOKENS. */
  private readonly verified = new LRUCache<string, VerifiedToken>({ max: KEPT_TOKENS });

  private readonly key: KeyObject | ReturnType<typeof createRemoteJWKSet>;
  private readonly algorithms: string[];

  constructor(private readonly config: TokenVerifierConfig) {
    if (config.mode === 'hs256') {
      // A KeyObject made once: given the bytes, jose would make one on every verification.
      this.key = createSecretKey(new TextEncoder().encode(config.secret));
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
    const token = match[1];
    const now = Math.floor(Date.now() / 1000);
    const kept = this.verified.get(token);
    if (kept && this.stillValid(kept, now)) return kept.principal;
    this.verified.delete(token);
    const { expiresAt, ...principal } = await this.verifyToken(token);
    this.verified.set(token, { principal, exp: expiresAt, verifiedAt: now });
    return principal;
  }

  /** What jose checks that time can change, as jose checks it: `exp` and the maximum age from `iat`, with the clock skew. */
  private stillValid(kept: VerifiedToken, now: number): boolean {
    const skew = this.config.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS;
    const maxAge = this.config.maxTokenAgeSeconds ?? DEFAULT_MAX_TOKEN_AGE_SECONDS;
    return now - kept.verifiedAt < KEPT_TOKEN_SECONDS && kept.exp > now - skew && now - kept.principal.issuedAt - skew <= maxAge;
  }

  private async verifyToken(token: string): Promise<Principal & { expiresAt: number }> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, this.key as KeyObject, {
        algorithms: this.algorithms,
        issuer: this.config.issuer,
        audience: this.config.audience,
        requiredClaims: ['sub', 'iat', 'exp'],
        // Also refuses an `iat` in the future (beyond the skew): such a token would keep rights it was never given.
        maxTokenAge: this.config.maxTokenAgeSeconds ?? DEFAULT_MAX_TOKEN_AGE_SECONDS,
        clockTolerance: this.config.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS,
      }));
    } catch (error) {
      if (error instanceof errors.JWTExpired) {
        throw new AuthenticationError('token-expired', error.claim === 'iat' ? 'The token is older than this service accepts: sign in again.' : 'The token has expired.');
      }
      if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'iat' && error.reason === 'check_failed') {
        throw new AuthenticationError('invalid-token', 'The token is issued in the future (check the clock of the identity provider).');
      }
      if (error instanceof errors.JWTClaimValidationFailed && error.claim === 'nbf' && error.reason === 'check_failed') {
        throw new AuthenticationError('invalid-token', 'The token is not valid yet.');
      }
      throw new AuthenticationError('invalid-token', 'The token is malformed, badly signed or not meant for this service.');
    }
    return { ...principalOf(payload), expiresAt: payload.exp! };
  }
}

const invalidClaim = (message: string) => new AuthenticationError('invalid-token', message);

/**
 * The claims we use, checked by type and shape: a signature says who issued a token, not that
 * its claims are what our code expects (an object `sub` would otherwise reach a query).
 */
function principalOf(payload: JWTPayload): Principal {
  const { sub, email, roles, name } = payload as Record<string, unknown>;
  if (typeof sub !== 'string' || !isValidSub(sub)) {
    throw invalidClaim(`The token's sub must be a non-empty string of at most ${MAX_SUB_LENGTH} characters.`);
  }
  if (typeof email !== 'string') throw invalidClaim('The token carries no e-mail address.');
  // NFC as the directory stores addresses, so the same address written two ways finds the same user.
  const address = email.normalize('NFC');
  if (address.length > MAX_EMAIL_LENGTH || !EMAIL_CLAIM.test(address) || UNSAFE_IN_CLAIM.test(address)) {
    throw invalidClaim('The token\'s email is not an e-mail address.');
  }
  if (roles !== undefined && (!Array.isArray(roles) || !roles.every((role) => typeof role === 'string'))) {
    throw invalidClaim('The token\'s roles must be an array of strings.');
  }
  if (name !== undefined && typeof name !== 'string') throw invalidClaim('The token\'s name must be a string.');
  return {
    sub,
    email: address,
    // Roles of other systems travel in the same claim: those that are not ours are ignored.
    roles: PLATFORM_ROLES.filter((role) => ((roles as string[] | undefined) ?? []).includes(role)),
    name: nameOf(name),
    issuedAt: payload.iat!,
  };
}

/**
 * The display name, NFC, trimmed and cut at 200 characters (never inside a surrogate pair).
 * A name that is blank or holds controls or bidirectional overrides is treated as absent: the
 * directory's name is used instead, and the caller is not locked out for their display name.
 */
function nameOf(name: string | undefined): string | null {
  if (name === undefined) return null;
  const trimmed = name.normalize('NFC').trim();
  if (INVISIBLE_ONLY.test(trimmed) || UNSAFE_IN_CLAIM.test(trimmed)) return null;
  return trimmed.length <= MAX_NAME_LENGTH ? trimmed : Array.from(trimmed).slice(0, MAX_NAME_LENGTH).join('').trim();
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
