import { INestApplication } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import type { Response } from 'superagent';
import { DevTokenClaims, mintToken } from '@access-ledger/auth';
import { EventStore } from '@access-ledger/event-store';
import { ReadStore } from '@access-ledger/read-store';
import { EVENT_STORE, loadConfig, READ_STORE } from '@access-ledger/platform';
import { inProcessProvisioning } from '@access-ledger/provisioning-service';
import { createApp } from '../../apps/api/src/app.factory';
import { recordContractFailure } from './contract-failures';
import { ResponseContract } from './openapi-contract';

export const TEST_SECRET = 'test-secret-that-is-long-enough-for-hs256-0123456789';
export const TEST_MANAGEMENT_TOKEN = 'test-management-token-0123456789abcdef';

/**
 * Suites create many entities quickly from one token: generous limits unless a suite sets its
 * own (the rate-limit suite does, small). The limiter still runs, so its cost is exercised.
 */
const GENEROUS = {
  RATE_LIMIT_PER_MINUTE: '1000000',
  RATE_LIMIT_IP_PER_MINUTE: '1000000',
  RATE_LIMIT_NEW_REQUESTS_PER_HOUR: '1000000',
  RATE_LIMIT_ORG_NEW_REQUESTS_PER_MINUTE: '1000000',
};

export interface TestApi {
  readonly app: INestApplication;
  readonly http: ReturnType<typeof request>;
  readonly events: EventStore;
  readonly reads: ReadStore;
  readonly dataDir: string;
  token(claims: DevTokenClaims): Promise<string>;
  /** Stops the service and removes its data folder. */
  close(): Promise<void>;
  /** Stops the service and keeps its data folder, for another `startApi(env, { dataDir })` to start on. */
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Start on this data folder (one a stopped service left) instead of a new one. */
  readonly dataDir?: string;
}

/**
 * The real service on real SQLite files in a temporary folder, over real HTTP. With `DATA_DIR`
 * in `env` (or `options.dataDir`) it runs on that folder and `close` leaves it (to start again on the same files).
 */
export async function startApi(env: Record<string, string> = {}, options: StartOptions = {}): Promise<TestApi> {
  const dataDir = options.dataDir ?? env.DATA_DIR ?? mkdtempSync(join(tmpdir(), 'al-api-'));
  // Provisioning runs in process only in the suites that ask for it (RUN_PROVISIONING=true): elsewhere its reports would add events the suites do not expect.
  const environment = { DATA_DIR: dataDir, AUTH_JWT_SECRET: TEST_SECRET, LOG_LEVEL: 'silent', MANAGEMENT_TOKEN: TEST_MANAGEMENT_TOKEN, RUN_PROVISIONING: 'false', ...GENEROUS, ...env };
  const config = loadConfig(environment);
  const app = await createApp(config, inProcessProvisioning(environment, config));
  await app.listen(0, '127.0.0.1');
  return {
    app,
    http: checkedAgainstContract(request(app.getHttpServer()), await ResponseContract.load()),
    events: app.get(EVENT_STORE),
    reads: app.get(READ_STORE),
    dataDir,
    token: (claims) => mintToken(TEST_SECRET, claims),
    close: async () => {
      await app.close();
      if (env.DATA_DIR === undefined && options.dataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
    },
    stop: () => app.close(),
  };
}

const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options']);

/** supertest, with every response checked against the OpenAPI document (openapi-contract.ts); a mismatch fails the test (openapi-setup.ts). */
function checkedAgainstContract(http: ReturnType<typeof request>, contract: ResponseContract): ReturnType<typeof request> {
  return new Proxy(http, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof property !== 'string' || !METHODS.has(property) || typeof value !== 'function') return value;
      return (url: string, ...rest: unknown[]) => {
        const test = value.call(target, url, ...rest);
        test.on('response', (response: request.Response) => {
          const failure = contract.check(property, url, { status: response.status, headers: response.headers as Record<string, string>, body: response.body });
          if (failure) recordContractFailure(failure);
        });
        return test;
      };
    },
  });
}

export const bearer = (token: string) => ({ Authorization: `Bearer ${token}` });

/** A supertest parser keeping the body as text, whatever its type (supertest buffers only the types it knows, e.g. not NDJSON). */
export const asText = (response: Response, done: (error: Error | null, body: string) => void): void => {
  let text = '';
  response.setEncoding('utf8');
  response.on('data', (chunk: string) => (text += chunk));
  response.on('end', () => done(null, text));
};

/**
 * Gives the real store's reads the latency of a store across a network (0–3 ms, random), as
 * EventStoreDB has: the embedded store answers reads synchronously, so without this, requests
 * hardly ever interleave between reading a stream and appending to it, and a race test could
 * not fail on code that lacks its guard.
 */
export function withReadLatency(events: EventStore, maxMs = 3): () => void {
  const original = events.readStream;
  const read = original.bind(events);
  const pause = () => new Promise((resolve) => setTimeout(resolve, (Math.random() * maxMs) / 2));
  // Half on the way there, half on the way back: what a network store read returns is already
  // a little old when the caller gets it, so another writer can append in between.
  events.readStream = async (...args) => {
    await pause();
    const recorded = await read(...args);
    await pause();
    return recorded;
  };
  return () => {
    events.readStream = original;
  };
}
