import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseDocument } from 'yaml';
import { loadConfig } from '@access-ledger/platform';
import { loadProvisioningConfig, runsProvisioningInProcess } from '@access-ledger/provisioning-service';

/**
 * The deployment files, checked without a Docker engine (none runs on the development machines):
 * what the compose file promises an operator (health-gated start, restarts, nothing published
 * beyond the host, MongoDB with authentication as a replica set, the supported KurrentDB line, every
 * process of the service), and that each Node service's environment, as Compose would hand it
 * over, is accepted by the service's own configuration loader. Where a Compose client is
 * installed, `docker compose config` validates the file against the Compose specification too.
 */

const ROOT = join(__dirname, '..');
const composeText = readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8');

/** What an operator's .env would set (docs/compose.env.example lists the same names). */
const operatorEnv = (): Record<string, string> => ({
  MONGODB_PASSWORD: 'mongo-secret-password',
  MANAGEMENT_TOKEN: 'a-management-token-of-at-least-32-characters',
  AUTH_JWT_SECRET: 'a-jwt-secret-that-is-at-least-32-characters',
  AUDIT_SIGNING_KEY: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  SMTP_URL: 'smtp://mailer:secret@smtp.example.org:587',
  PROVISIONING_WEBHOOK_URL: 'https://provisioning.example.org/hooks/access-ledger',
  PROVISIONING_WEBHOOK_SECRET: 'a-webhook-secret-that-is-at-least-32-chars',
});

/** Compose's interpolation: ${VAR}, ${VAR:-default}, ${VAR:?error} and $$ for a literal $. */
const interpolate = (text: string, env: Record<string, string>): string =>
  text.replace(/\$\$|\$\{([A-Z0-9_]+)(?::([-?])([^}]*))?\}/g, (whole, name: string | undefined, op: string | undefined, arg: string | undefined) => {
    if (whole === '$$') return '$';
    const value = env[name!];
    if (value !== undefined && value !== '') return value;
    if (op === '?') throw new Error(`${name} is required: ${arg}`);
    return op === '-' ? arg! : '';
  });

interface Service {
  image?: string;
  build?: unknown;
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  restart?: string;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

/** The file as Compose reads it: anchors and merge keys resolved, variables interpolated. */
const composed = (env: Record<string, string>) => {
  const raw = parseDocument(composeText, { merge: true }).toJS() as { services: Record<string, Service> };
  return parse(interpolate(JSON.stringify(raw), Object.fromEntries(Object.entries(env).map(([k, v]) => [k, JSON.stringify(v).slice(1, -1)])))) as {
    services: Record<string, Service>;
  };
};

describe('docker-compose.yml', () => {
  const { services } = composed(operatorEnv());
  const node = ['api', 'projector', 'provisioning'];

  it('runs every process of the service beside KurrentDB and MongoDB, from one image built here', () => {
    expect(Object.keys(services).sort()).toEqual(['api', 'kurrentdb', 'mongodb', 'projector', 'provisioning']);
    for (const name of node) {
      expect([name, services[name].build]).toEqual([name, '.']);
      const [binary, script] = services[name].command!;
      expect(binary).toBe('node');
      // npm test builds first: the entry point each service starts exists.
      expect([name, existsSync(join(ROOT, script))]).toEqual([name, true]);
    }
    expect(new Set(node.map((name) => services[name].image)).size).toBe(1);
  });

  it('uses the current long-term-support KurrentDB line (26.0), not EventStoreDB 24.10', () => {
    expect(services.kurrentdb.image).toMatch(/^docker\.kurrent\.io\/kurrent-lts\/kurrentdb:26\.0(\.\d+)?$/);
    expect(composeText).not.toMatch(/eventstore\/eventstore:/);
  });

  it('starts each process only once what it depends on is healthy, and restarts it when it fails', () => {
    for (const [name, service] of Object.entries(services)) {
      expect([name, service.restart]).toEqual([name, 'unless-stopped']);
      expect([name, service.healthcheck?.test?.length ?? 0]).not.toEqual([name, 0]);
      for (const [dependency, { condition }] of Object.entries(service.depends_on ?? {})) {
        expect([name, dependency, condition]).toEqual([name, dependency, 'service_healthy']);
        expect(services[dependency]).toBeDefined();
      }
    }
    expect(Object.keys(services.api.depends_on!).sort()).toEqual(['kurrentdb', 'mongodb']);
  });

  it('publishes ports on 127.0.0.1 only', () => {
    for (const [name, service] of Object.entries(services)) {
      for (const port of service.ports ?? []) expect([name, port]).toEqual([name, expect.stringMatching(/^127\.0\.0\.1:\d+:\d+$/)]);
    }
  });

  it('runs MongoDB with authentication as a one-node replica set, and the services connect to it so', () => {
    const mongo = services.mongodb;
    expect(mongo.environment).toMatchObject({ MONGO_INITDB_ROOT_USERNAME: expect.any(String), MONGO_INITDB_ROOT_PASSWORD: 'mongo-secret-password' });
    const start = mongo.entrypoint!.join(' ');
    expect(start).toMatch(/mongod --replSet rs0 --keyFile \S+/);
    expect(mongo.healthcheck!.test.join(' ')).toMatch(/rs\.initiate\(\{ _id: 'rs0'/);
    for (const name of node) {
      const uri = new URL(services[name].environment!.MONGODB_URI);
      expect([name, uri.username, uri.password, uri.searchParams.get('replicaSet'), uri.searchParams.get('authSource')]).toEqual([name, 'access_ledger', 'mongo-secret-password', 'rs0', 'admin']);
    }
  });

  it('refuses to start without the secrets, naming the one missing', () => {
    for (const name of Object.keys(operatorEnv())) {
      const env = operatorEnv();
      delete (env as Record<string, string>)[name];
      expect(() => composed(env)).toThrow(new RegExp(`^${name} is required`));
    }
  });

  it('hands the API and the projector an environment their configuration loader accepts, on the production stores', () => {
    const api = loadConfig(services.api.environment);
    expect(api).toMatchObject({ eventStore: { kind: 'eventstoredb' }, readStore: { kind: 'mongodb' }, runProjections: false, runFoldCheckpointKeeper: true });
    expect(api.auditSigningKey).toMatchObject({ generated: false });
    const projector = loadConfig(services.projector.environment, { auth: false, auditKey: false });
    expect(projector).toMatchObject({ eventStore: { kind: 'eventstoredb' }, readStore: { kind: 'mongodb' }, mail: { transport: { kind: 'smtp' } } });
  });

  it('hands provisioning an environment it accepts: the persistent subscription, the webhook, its own token for the API', () => {
    const environment = services.provisioning.environment!;
    const platform = loadConfig(environment, { auth: false, auditKey: false });
    expect(loadProvisioningConfig(environment, platform, { embedded: false })).toMatchObject({
      apiUrl: 'http://api:3000',
      source: { kind: 'eventstoredb' },
      provider: { kind: 'webhook', url: 'https://provisioning.example.org/hooks/access-ledger' },
      token: { kind: 'mint' },
    });
    // The API leaves provisioning to that process rather than running a second consumer.
    expect(runsProvisioningInProcess(services.api.environment!, loadConfig(services.api.environment))).toBe(false);
  });

  const compose = [
    ['docker', ['compose', 'version']],
    ['docker-compose', ['version']],
  ].find(([binary, args]) => spawnSync(binary as string, args as string[], { stdio: 'ignore' }).status === 0) as [string, string[]] | undefined;
  if (!compose) console.log('[deployment] `docker compose config` skipped: no Compose client is installed (checked `docker compose` and `docker-compose`).');
  (compose ? it : it.skip)('is valid for the Compose client installed here (`docker compose config`)', () => {
    const [binary, version] = compose!;
    const args = [...(binary === 'docker' ? ['compose'] : []), '-f', join(ROOT, 'docker-compose.yml'), 'config', '--quiet'];
    expect(version).toBeDefined();
    execFileSync(binary, args, { env: { ...process.env, ...operatorEnv() }, stdio: 'pipe' });
  });
});

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');

  it('builds on a supported Node LTS line and runs as the unprivileged user', () => {
    const bases = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
    expect(bases.length).toBeGreaterThan(0);
    // Node 20 reached end of life on 2026-04-30; 22 (maintenance) and 24 (active) are LTS lines.
    for (const base of bases) expect(base).toMatch(/^node:(22|24)-/);
    const users = [...dockerfile.matchAll(/^USER\s+(\S+)/gm)].map((m) => m[1]);
    expect(users.at(-1)).toBe('node');
  });
});
