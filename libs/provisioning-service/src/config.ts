import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BackoffPolicy, DEFAULT_BACKOFF } from '@access-ledger/provisioning';
import { AppConfig, ConfigError, envBoolean, envInteger } from '@access-ledger/platform';

/** Where the bearer token of role `integration` comes from (docs/operations.md, "Provisioning"). */
export type TokenConfig =
  | { readonly kind: 'static'; readonly token: string }
  | { readonly kind: 'file'; readonly file: string }
  | { readonly kind: 'mint'; readonly secret: string };

export type ProviderConfig =
  | { readonly kind: 'log' }
  | { readonly kind: 'webhook'; readonly url: string; readonly secret: string; readonly timeoutMs: number };

export type SourceConfig =
  | { readonly kind: 'feed'; readonly checkpointFile: string; readonly pollIntervalMs: number; readonly batchSize: number }
  | { readonly kind: 'eventstoredb'; readonly connectionString: string; readonly group: string };

export interface ProvisioningConfig {
  /** The API's base URL; `self` in the API's own process: the address it listens on. */
  readonly apiUrl: string;
  readonly token: TokenConfig;
  readonly provider: ProviderConfig;
  readonly backoff: BackoffPolicy;
  readonly source: SourceConfig;
  /** Time for one call to the API (a feed page, an outcome report). */
  readonly apiTimeoutMs: number;
}

type Env = Readonly<Record<string, string | undefined>>;

const httpUrl = (env: Env, name: string): string | undefined => {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  try {
    const url = new URL(value);
    if (url.protocol === 'http:' || url.protocol === 'https:') return value;
  } catch {
    // refused below
  }
  throw new ConfigError(name, `must be an http(s) URL (got "${value}")`);
};

/**
 * The API's signing secret when this process can sign its own token: in the API's process, or
 * with AUTH_JWT_SECRET, or on the embedded store beside the API (the secret it keeps in DATA_DIR).
 * Elsewhere (EventStoreDB, no AUTH_JWT_SECRET) the platform's configuration holds a secret of its
 * own making that the API does not know.
 */
const signingSecret = (env: Env, app: AppConfig, embedded: boolean): string | undefined =>
  app.auth.mode === 'hs256' && (embedded || !!env.AUTH_JWT_SECRET || app.eventStore.kind === 'sqlite') ? app.auth.secret : undefined;

/**
 * Provisioning's configuration, beside the platform's (`app`: data folder, event store, auth).
 * `embedded`: in the API's own process (the API is `self`, its signing secret at hand).
 */
export function loadProvisioningConfig(env: Env, app: AppConfig, { embedded }: { embedded: boolean }): ProvisioningConfig {
  const webhookUrl = httpUrl(env, 'PROVISIONING_WEBHOOK_URL');
  let provider: ProviderConfig = { kind: 'log' };
  if (webhookUrl) {
    const secret = env.PROVISIONING_WEBHOOK_SECRET ?? '';
    if (secret.length < 32) throw new ConfigError('PROVISIONING_WEBHOOK_SECRET', 'is required with PROVISIONING_WEBHOOK_URL, at least 32 characters (e.g. openssl rand -hex 32)');
    provider = { kind: 'webhook', url: webhookUrl, secret, timeoutMs: envInteger(env, 'PROVISIONING_WEBHOOK_TIMEOUT_MS', 10_000, 100, 600_000) };
  } else if (env.PROVISIONING_WEBHOOK_SECRET) {
    throw new ConfigError('PROVISIONING_WEBHOOK_URL', 'is required with PROVISIONING_WEBHOOK_SECRET');
  }

  let token: TokenConfig;
  const secret = signingSecret(env, app, embedded);
  if (env.PROVISIONING_API_TOKEN) token = { kind: 'static', token: env.PROVISIONING_API_TOKEN };
  else if (env.PROVISIONING_API_TOKEN_FILE) {
    if (!existsSync(env.PROVISIONING_API_TOKEN_FILE)) throw new ConfigError('PROVISIONING_API_TOKEN_FILE', `names no file (got "${env.PROVISIONING_API_TOKEN_FILE}")`);
    token = { kind: 'file', file: env.PROVISIONING_API_TOKEN_FILE };
  } else if (secret) token = { kind: 'mint', secret };
  else throw new ConfigError('PROVISIONING_API_TOKEN', 'or PROVISIONING_API_TOKEN_FILE is required (a token of role integration), unless AUTH_JWT_SECRET or the embedded secret in DATA_DIR can sign one');

  const baseDelayMs = envInteger(env, 'PROVISIONING_RETRY_DELAY_MS', DEFAULT_BACKOFF.baseDelayMs, 0, 3_600_000);
  const maxDelayMs = envInteger(env, 'PROVISIONING_RETRY_MAX_DELAY_MS', Math.max(DEFAULT_BACKOFF.maxDelayMs, baseDelayMs), 0, 3_600_000);
  if (maxDelayMs < baseDelayMs) throw new ConfigError('PROVISIONING_RETRY_MAX_DELAY_MS', `must not be below PROVISIONING_RETRY_DELAY_MS (${baseDelayMs}) (got "${maxDelayMs}")`);

  const source: SourceConfig =
    app.eventStore.kind === 'eventstoredb'
      ? { kind: 'eventstoredb', connectionString: app.eventStore.connectionString, group: groupName(env) }
      : {
          kind: 'feed',
          checkpointFile: join(app.dataDir, 'provisioning.db'),
          pollIntervalMs: envInteger(env, 'PROVISIONING_POLL_INTERVAL_MS', 1000, 10, 600_000),
          batchSize: envInteger(env, 'PROVISIONING_BATCH_SIZE', 100, 1, 1000),
        };

  return {
    apiUrl: embedded ? 'self' : (httpUrl(env, 'PROVISIONING_API_URL') ?? 'http://localhost:3000').replace(/\/+$/, ''),
    token,
    provider,
    backoff: { maxAttempts: envInteger(env, 'PROVISIONING_MAX_ATTEMPTS', DEFAULT_BACKOFF.maxAttempts, 1, 100), baseDelayMs, maxDelayMs },
    source,
    apiTimeoutMs: envInteger(env, 'PROVISIONING_API_TIMEOUT_MS', 10_000, 100, 600_000),
  };
}

const groupName = (env: Env): string => {
  const group = env.PROVISIONING_GROUP || 'provisioning';
  if (!/^[A-Za-z0-9_.-]{1,100}$/.test(group)) throw new ConfigError('PROVISIONING_GROUP', `must be 1 to 100 letters, digits, _, . or - (got "${group}")`);
  return group;
};

/** Whether the API runs provisioning in its own process: RUN_PROVISIONING, by default on the embedded event store only. */
export const runsProvisioningInProcess = (env: Env, app: AppConfig): boolean => envBoolean(env, 'RUN_PROVISIONING', app.eventStore.kind === 'sqlite');

/** The API's in-process provisioning for this environment, or null when it runs elsewhere (RUN_PROVISIONING=false). */
export const inProcessProvisioning = (env: Env, app: AppConfig): ProvisioningConfig | null =>
  runsProvisioningInProcess(env, app) ? loadProvisioningConfig(env, app, { embedded: true }) : null;
