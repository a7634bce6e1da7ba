import { readFile } from 'node:fs/promises';
import { mintToken } from '@access-ledger/auth';
import { TokenConfig } from './config';

/** The bearer token provisioning sends the API; `renew` after a 401 (a rotated file, an expired token). */
export interface TokenSource {
  token(): Promise<string>;
  renew(): void;
}

/** Who provisioning is to the API when it signs its own token. */
export const PROVISIONING_PRINCIPAL = { sub: 'access-ledger-provisioning', email: 'provisioning@access-ledger.invalid', roles: ['integration'] } as const;

/** A successful feed read by provisioning's own token (`GET /events`): the API logs those at debug. */
export const isProvisioningPoll = (request: { method?: string; url?: string; principal?: { sub: string } }, status: number): boolean =>
  status === 200 && request.method === 'GET' && request.principal?.sub === PROVISIONING_PRINCIPAL.sub && /^\/events(\?|$)/.test(request.url ?? '');

/** A minted token lives an hour and is renewed after ten minutes, well within the API's AUTH_MAX_TOKEN_AGE (at least a minute: renewed on 401 too). */
const MINTED_LIFETIME = '1h';
const RENEW_AFTER_MS = 10 * 60_000;

export function tokenSource(config: TokenConfig, now: () => number = Date.now): TokenSource {
  let cached: { token: Promise<string>; at: number } | null = null;
  const load = (): Promise<string> => {
    switch (config.kind) {
      case 'static':
        return Promise.resolve(config.token);
      case 'file':
        return readFile(config.file, 'utf8').then((text) => text.trim());
      case 'mint':
        return mintToken(config.secret, { ...PROVISIONING_PRINCIPAL, expiresIn: MINTED_LIFETIME });
    }
  };
  return {
    token: () => {
      if (!cached || (config.kind === 'mint' && now() - cached.at > RENEW_AFTER_MS)) {
        cached = { token: load(), at: now() };
        cached.token.catch(() => (cached = null));
      }
      return cached.token;
    },
    renew: () => {
      cached = null;
    },
  };
}
