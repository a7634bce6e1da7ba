import { createPrivateKey, generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TokenLifetime, TokenVerifierConfig } from '@access-ledger/auth';
import { checkConnectionString } from '@access-ledger/event-store';
import { DEFAULT_READ_CACHE_MB } from '@access-ledger/read-store';

export interface AppConfig {
  readonly eventStore: { readonly kind: 'sqlite'; readonly file: string } | { readonly kind: 'eventstoredb'; readonly connectionString: string };
  readonly readStore: { readonly kind: 'sqlite'; readonly file: string; readonly cacheMb: number } | { readonly kind: 'mongodb'; readonly uri: string; readonly db: string };
  readonly dataDir: string;
  readonly port: number;
  readonly auth: TokenVerifierConfig;
  /** True when the secret was generated for the embedded mode (main prints how to mint a token). */
  readonly generatedSecret: boolean;
  /** Run the projections and reactors in this process (the API's embedded default; the projector always does). */
  readonly runProjections: boolean;
  /** Keep the audit's fold checkpoints ahead of time in this process (RUN_FOLD_CHECKPOINT_KEEPER; default: as RUN_PROJECTIONS). The projector cannot: the keeper is the API's. */
  readonly runFoldCheckpointKeeper: boolean;
  /** Attempts per event before a reactor or projection parks it, and the pauses between them. */
  readonly eventRetry: { readonly maxAttempts: number; readonly initialDelayMs: number; readonly maxDelayMs: number };
  readonly logLevel: string;
  readonly bodyLimit: string;
  readonly readWaitTimeoutMs: number;
  /** Readiness fails when a projection is further behind than this. */
  readonly maxProjectionLagSeconds: number;
  /** Pause between two passes of the access-expiry sweeper (which records AccessExpired for grants past their `until`). */
  readonly accessExpiryIntervalMs: number;
  /** The event feed's Server-Sent Events: a heartbeat comment this often keeps proxies from closing an idle stream. */
  readonly feedHeartbeatMs: number;
  /** The audit export on the embedded store reads and builds its lines in worker threads from a log of this many events on (AUDIT_EXPORT_WORKER_FROM_EVENTS; unset: never, the main thread writes every export). */
  readonly auditExportWorkerFromEvents: number;
  readonly rateLimits: RateLimitConfig;
  readonly http: HttpServerConfig;
  /** Bearer token for /metrics and /health/ready; null: those routes are refused to everyone. */
  readonly managementToken: string | null;
  /**
   * The audit key that signs exports (Ed25519 private key, PEM): AUDIT_SIGNING_KEY, or on the
   * embedded default one generated once and kept in DATA_DIR. Null for processes that sign
   * nothing (LoadOptions.auditKey false: the projector and its tools).
   */
  readonly auditSigningKey: { readonly pem: string; readonly generated: boolean } | null;
  /** Where links in messages to people point (PUBLIC_BASE_URL): scheme, host and optional path, without a trailing slash. */
  readonly publicBaseUrl: string;
  readonly mail: MailConfig;
}

/** How the notifications are sent: over SMTP (SMTP_URL), or written as `.eml` files to `DATA_DIR/outbox` (the embedded default). */
export interface MailConfig {
  /** The sender (MAIL_FROM), an address with an optional display name. */
  readonly from: string;
  readonly transport: { readonly kind: 'smtp'; readonly url: string } | { readonly kind: 'outbox'; readonly dir: string };
}

export interface RateLimitConfig {
  /** RATE_LIMITS=off switches every limit off (benchmarks). */
  readonly enabled: boolean;
  /** Per authenticated caller (token `sub`), all routes together. */
  readonly perCallerPerMinute: number;
  /** Per client IP, requests without a valid token, counted before the body is read. */
  readonly anonymousPerIpPerMinute: number;
  /** POST /requests per requester. */
  readonly newRequestsPerRequesterPerHour: number;
  /** POST /requests per organisation, all requesters together. */
  readonly newRequestsPerOrganisationPerMinute: number;
}

export interface HttpServerConfig {
  /** Time to receive a whole request, headers and body; then 408 and the connection is closed. */
  readonly requestTimeoutMs: number;
  /** Time to receive the request headers. */
  readonly headersTimeoutMs: number;
  /** Express `trust proxy` hops: how many reverse proxies' X-Forwarded-For to believe for the client IP. */
  readonly trustProxyHops: number;
}

/** A configuration mistake: `message` is the one line printed before the process stops. */
export class ConfigError extends Error {
  constructor(readonly variable: string, problem: string) {
    super(`Configuration error: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

type Env = Readonly<Record<string, string | undefined>>;

const oneOf = <T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T => {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  if (!(allowed as readonly string[]).includes(value)) {
    throw new ConfigError(name, `must be one of ${allowed.join(', ')} (got "${value}")`);
  }
  return value as T;
};

/** A whole-number variable within bounds (for other processes' own variables too). */
export const envInteger = (env: Env, name: string, fallback: number, min: number, max: number): number => {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max} (got "${value}")`);
  }
  return Number(value);
};

const required = (env: Env, name: string, because: string, pattern?: RegExp, shape?: string): string => {
  const value = env[name];
  if (!value) throw new ConfigError(name, `is required ${because}`);
  if (pattern && !pattern.test(value)) throw new ConfigError(name, `must be ${shape} (got "${value}")`);
  return value;
};

const DURATION_UNITS: Record<string, number> = { '': 1, s: 1, m: 60, h: 3600, d: 86400 };

/** Seconds, as `3600`, `3600s`, `30m`, `12h` or `1d`. */
export const parseDuration = (text: string): number | null => {
  const match = /^(\d{1,9})(s|m|h|d)?$/.exec(text.trim());
  return match ? Number(match[1]) * DURATION_UNITS[match[2] ?? ''] : null;
};

const duration = (env: Env, name: string, fallback: number, min: number, max: number): number => {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  const seconds = parseDuration(value);
  if (seconds === null || seconds < min || seconds > max) {
    throw new ConfigError(name, `must be a duration from ${min} s to ${max / 86400} days such as 12h, 30m, 3600s or 3600 (got "${value}")`);
  }
  return seconds;
};

/** A true/false variable. */
export const envBoolean = (env: Env, name: string, fallback: boolean): boolean => {
  const value = env[name];
  if (value === undefined || value === '') return fallback;
  if (value !== 'true' && value !== 'false') throw new ConfigError(name, `must be true or false (got "${value}")`);
  return value === 'true';
};

/** In the embedded mode, a secret made once and kept beside the data, so `npm run token` can sign for the running service. */
export const embeddedSecret = (dataDir: string): { secret: string; generated: boolean } => {
  const file = join(dataDir, 'jwt-secret');
  if (existsSync(file)) return { secret: readFileSync(file, 'utf8').trim(), generated: false };
  mkdirSync(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return { secret, generated: true };
};

/** Where the embedded mode keeps its generated audit key. */
export const EMBEDDED_AUDIT_KEY_FILE = 'audit-signing-key.pem';

/**
 * In the embedded mode, an audit key made once and kept beside the data (mode 600). Created
 * exclusively, so two processes starting on the same folder end up with the same key.
 */
export const embeddedAuditKey = (dataDir: string): { pem: string; generated: boolean } => {
  const file = join(dataDir, EMBEDDED_AUDIT_KEY_FILE);
  if (existsSync(file)) return { pem: readFileSync(file, 'utf8'), generated: false };
  mkdirSync(dataDir, { recursive: true });
  const pem = generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  try {
    writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return { pem: readFileSync(file, 'utf8'), generated: false };
    throw error;
  }
  return { pem, generated: true };
};

/** An Ed25519 private key in PEM (newlines may be written as \n, as in a one-line .env value); never printed. */
const auditSigningKey = (env: Env): string => {
  const pem = (env.AUDIT_SIGNING_KEY ?? '').replace(/\\n/g, '\n').trim();
  const refused = new ConfigError('AUDIT_SIGNING_KEY', 'must be an Ed25519 private key in PEM (openssl genpkey -algorithm ed25519)');
  try {
    if (createPrivateKey({ key: pem, format: 'pem' }).asymmetricKeyType !== 'ed25519') throw refused;
  } catch {
    throw refused;
  }
  return `${pem}\n`;
};

/** As the client reads it (checkConnectionString); what is wrong is named without repeating the value, which may hold a password. */
const eventStoreConnectionString = (env: Env): string => {
  const value = required(env, 'EVENTSTORE_CONNECTION_STRING', 'when EVENT_STORE=eventstoredb');
  try {
    checkConnectionString(value);
  } catch (error) {
    throw new ConfigError('EVENTSTORE_CONNECTION_STRING', (error as Error).message);
  }
  return value;
};

/** A sender as MAIL_FROM takes it: `no-reply@example.org` or `Access Ledger <no-reply@example.org>`, on one line. */
const MAIL_FROM_PATTERN = /^(?:[^<>"\u0000-\u001f\u007f]+ <[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/;

const mailConfig = (env: Env, dataDir: string, port: number): { publicBaseUrl: string; mail: MailConfig } => {
  const smtpUrl = env.SMTP_URL || null;
  // The URL may hold a password: never repeat it in a message.
  if (smtpUrl !== null && !/^smtps?:\/\/[^\s/]+/.test(smtpUrl)) throw new ConfigError('SMTP_URL', 'must be an smtp:// or smtps:// URL (value not shown: it may hold a password)');
  const base = env.PUBLIC_BASE_URL || null;
  if (base !== null && !/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(base)) {
    throw new ConfigError('PUBLIC_BASE_URL', `must be an http(s) URL without query or fragment, such as https://access.example.org (got "${base}")`);
  }
  if (smtpUrl !== null && base === null) throw new ConfigError('PUBLIC_BASE_URL', 'is required with SMTP_URL: the links in the mails must work for their readers');
  const from = env.MAIL_FROM || null;
  if (from !== null && !MAIL_FROM_PATTERN.test(from)) {
    throw new ConfigError('MAIL_FROM', `must be an e-mail address, optionally with a name: "Access Ledger <no-reply@example.org>" (got "${from}")`);
  }
  if (smtpUrl !== null && from === null) throw new ConfigError('MAIL_FROM', 'is required with SMTP_URL (an address of your mail domain)');
  return {
    publicBaseUrl: (base ?? `http://localhost:${port}`).replace(/\/+$/, ''),
    mail: {
      from: from ?? 'Access Ledger <no-reply@localhost>',
      transport: smtpUrl !== null ? { kind: 'smtp', url: smtpUrl } : { kind: 'outbox', dir: join(dataDir, 'outbox') },
    },
  };
};

export interface LoadOptions {
  /** The projector and the rebuild tool verify no tokens, so they need no AUTH_* variables. */
  readonly auth?: boolean;
  /** Processes that sign no audit export (the projector and its tools) need no AUDIT_SIGNING_KEY. Default true. */
  readonly auditKey?: boolean;
}

/** Reads and checks the whole configuration; the embedded default needs no variable at all. */
export function loadConfig(env: Env = process.env, options: LoadOptions = {}): AppConfig {
  const dataDir = resolve(env.DATA_DIR || './data');
  const eventStoreKind = oneOf(env, 'EVENT_STORE', ['sqlite', 'eventstoredb'] as const, 'sqlite');
  const readStoreKind = oneOf(env, 'READ_STORE', ['sqlite', 'mongodb'] as const, 'sqlite');
  const eventStore: AppConfig['eventStore'] =
    eventStoreKind === 'sqlite'
      ? { kind: 'sqlite', file: join(dataDir, 'events.db') }
      : {
          kind: 'eventstoredb',
          connectionString: eventStoreConnectionString(env),
        };
  const readStore: AppConfig['readStore'] =
    readStoreKind === 'sqlite'
      ? { kind: 'sqlite', file: join(dataDir, 'read.db'), cacheMb: envInteger(env, 'READ_STORE_CACHE_MB', DEFAULT_READ_CACHE_MB, 2, 65536) }
      : {
          kind: 'mongodb',
          uri: required(env, 'MONGODB_URI', 'when READ_STORE=mongodb', /^mongodb(\+srv)?:\/\//, 'a mongodb:// URI'),
          db: env.MONGODB_DB || 'access_ledger',
        };
  if (env.MONGODB_DB !== undefined && env.MONGODB_DB !== '' && !/^[A-Za-z0-9_-]{1,63}$/.test(env.MONGODB_DB)) {
    throw new ConfigError('MONGODB_DB', `must be a database name of letters, digits, _ and - (got "${env.MONGODB_DB}")`);
  }
  const port = envInteger(env, 'PORT', 3000, 0, 65535);

  const lifetime: TokenLifetime = {
    maxTokenAgeSeconds: duration(env, 'AUTH_MAX_TOKEN_AGE', 12 * 3600, 60, 30 * 86400),
    clockSkewSeconds: envInteger(env, 'AUTH_CLOCK_SKEW_SECONDS', 60, 0, 600),
  };
  let auth: TokenVerifierConfig;
  let generatedSecret = false;
  if (env.AUTH_JWKS_URL) {
    if (!/^https?:\/\//.test(env.AUTH_JWKS_URL)) throw new ConfigError('AUTH_JWKS_URL', `must be an http(s) URL (got "${env.AUTH_JWKS_URL}")`);
    auth = {
      ...lifetime,
      mode: 'jwks',
      jwksUrl: env.AUTH_JWKS_URL,
      issuer: required(env, 'AUTH_ISSUER', 'when AUTH_JWKS_URL is set'),
      audience: required(env, 'AUTH_AUDIENCE', 'when AUTH_JWKS_URL is set'),
    };
  } else if (env.AUTH_JWT_SECRET) {
    if (env.AUTH_JWT_SECRET.length < 32) throw new ConfigError('AUTH_JWT_SECRET', 'must be at least 32 characters long');
    auth = { ...lifetime, mode: 'hs256', secret: env.AUTH_JWT_SECRET, issuer: env.AUTH_ISSUER || undefined, audience: env.AUTH_AUDIENCE || undefined };
  } else if (eventStoreKind === 'sqlite' || options.auth === false) {
    const made = embeddedSecret(dataDir);
    generatedSecret = made.generated;
    auth = { ...lifetime, mode: 'hs256', secret: made.secret };
  } else {
    throw new ConfigError('AUTH_JWKS_URL', 'or AUTH_JWT_SECRET is required outside the embedded mode');
  }

  const requestTimeoutMs = envInteger(env, 'HTTP_REQUEST_TIMEOUT_MS', 30000, 100, 600000);
  const headersTimeoutMs = envInteger(env, 'HTTP_HEADERS_TIMEOUT_MS', Math.min(10000, requestTimeoutMs), 100, 600000);
  if (headersTimeoutMs > requestTimeoutMs) {
    throw new ConfigError('HTTP_HEADERS_TIMEOUT_MS', `must not exceed HTTP_REQUEST_TIMEOUT_MS (${requestTimeoutMs}) (got "${headersTimeoutMs}")`);
  }
  const retryDelayMs = envInteger(env, 'EVENT_RETRY_DELAY_MS', 1000, 0, 3_600_000);
  const retryMaxDelayMs = envInteger(env, 'EVENT_RETRY_MAX_DELAY_MS', Math.max(60_000, retryDelayMs), 0, 3_600_000);
  if (retryMaxDelayMs < retryDelayMs) {
    throw new ConfigError('EVENT_RETRY_MAX_DELAY_MS', `must not be below EVENT_RETRY_DELAY_MS (${retryDelayMs}) (got "${retryMaxDelayMs}")`);
  }
  let auditKey: AppConfig['auditSigningKey'] = null;
  if (options.auditKey === false) {
    // Signs nothing: the key is neither read nor generated.
  } else if (env.AUDIT_SIGNING_KEY) auditKey = { pem: auditSigningKey(env), generated: false };
  else if (eventStoreKind === 'sqlite') auditKey = embeddedAuditKey(dataDir);
  else throw new ConfigError('AUDIT_SIGNING_KEY', 'is required outside the embedded mode (an Ed25519 private key in PEM: openssl genpkey -algorithm ed25519)');

  const managementToken = env.MANAGEMENT_TOKEN || null;
  if (managementToken !== null && !/^[\x21-\x7e]{32,512}$/.test(managementToken)) {
    throw new ConfigError('MANAGEMENT_TOKEN', 'must be 32 to 512 visible ASCII characters (e.g. openssl rand -hex 32)');
  }

  const runProjections = envBoolean(env, 'RUN_PROJECTIONS', true);
  return {
    eventStore,
    readStore,
    dataDir,
    port,
    auth,
    generatedSecret,
    runProjections,
    runFoldCheckpointKeeper: envBoolean(env, 'RUN_FOLD_CHECKPOINT_KEEPER', runProjections),
    eventRetry: { maxAttempts: envInteger(env, 'EVENT_RETRY_ATTEMPTS', 5, 1, 100), initialDelayMs: retryDelayMs, maxDelayMs: retryMaxDelayMs },
    logLevel: oneOf(env, 'LOG_LEVEL', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const, 'info'),
    bodyLimit: `${envInteger(env, 'BODY_LIMIT_KB', 100, 1, 10240)}kb`,
    readWaitTimeoutMs: envInteger(env, 'READ_WAIT_TIMEOUT_MS', 5000, 0, 60000),
    maxProjectionLagSeconds: envInteger(env, 'READY_MAX_LAG_SECONDS', 60, 1, 86400),
    accessExpiryIntervalMs: envInteger(env, 'ACCESS_EXPIRY_INTERVAL_MS', 60_000, 1000, 86_400_000),
    feedHeartbeatMs: envInteger(env, 'FEED_HEARTBEAT_MS', 15_000, 10, 3_600_000),
    auditExportWorkerFromEvents: envInteger(env, 'AUDIT_EXPORT_WORKER_FROM_EVENTS', Number.MAX_SAFE_INTEGER, 0, Number.MAX_SAFE_INTEGER),
    rateLimits: {
      enabled: oneOf(env, 'RATE_LIMITS', ['on', 'off'] as const, 'on') === 'on',
      perCallerPerMinute: envInteger(env, 'RATE_LIMIT_PER_MINUTE', 300, 1, 1_000_000),
      anonymousPerIpPerMinute: envInteger(env, 'RATE_LIMIT_IP_PER_MINUTE', 60, 1, 1_000_000),
      newRequestsPerRequesterPerHour: envInteger(env, 'RATE_LIMIT_NEW_REQUESTS_PER_HOUR', 20, 1, 1_000_000),
      newRequestsPerOrganisationPerMinute: envInteger(env, 'RATE_LIMIT_ORG_NEW_REQUESTS_PER_MINUTE', 60, 1, 1_000_000),
    },
    http: { requestTimeoutMs, headersTimeoutMs, trustProxyHops: envInteger(env, 'TRUST_PROXY_HOPS', 0, 0, 10) },
    managementToken,
    auditSigningKey: auditKey,
    ...mailConfig(env, dataDir, port),
  };
}

/** For entry points: the configuration, or one line naming the bad variable on stderr and exit code 1. */
export function loadConfigOrExit(env: Env = process.env, options: LoadOptions = {}): AppConfig {
  try {
    return loadConfig(env, options);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
