import { ChildProcess, spawn } from 'node:child_process';
import { freePort } from './ports';

/** Asks `probe` until it returns a value (not undefined), at most `tries` times `everyMs` apart: a bound, not a timing assertion. */
export async function eventually<T>(probe: () => Promise<T | undefined>, what: string, tries = 400, everyMs = 25): Promise<T> {
  let last: unknown;
  for (let i = 0; i < tries; i += 1) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`gave up waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

export interface ProvisioningProcess {
  readonly port: number;
  readonly child: ChildProcess;
  output(): string;
  /** SIGTERM and wait for the exit. */
  stop(): Promise<void>;
  /** SIGKILL: no shutdown hook runs, nothing is flushed that was not written. */
  kill(): Promise<void>;
}

/** `npm run start:provisioning` as a user runs it: the built app (npm test builds first) in its own process. */
export async function startProvisioningProcess(env: Record<string, string>): Promise<ProvisioningProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['dist/apps/provisioning/src/main.js'], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...env, PROVISIONING_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const end = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  for (let i = 0; !output.includes('provisioning running'); i += 1) {
    if (child.exitCode !== null || i > 400) throw new Error(`provisioning did not start: ${output}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return { port, child, output: () => output, stop: () => end('SIGTERM'), kill: () => end('SIGKILL') };
}
