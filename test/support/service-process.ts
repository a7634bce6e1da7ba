import { ChildProcess, spawn } from 'node:child_process';
import { freePort } from './ports';

export interface ServiceProcess {
  readonly url: string;
  /** fetch against this process, with a bearer token and JSON. */
  call(path: string, token: string, init?: { method?: string; body?: unknown }): Promise<{ status: number; body: Record<string, unknown> }>;
  stop(): Promise<void>;
}

/**
 * The built API (dist/apps/api/src/main.js; npm test builds first) as its own process on a free
 * port, as a user runs it; resolves once it prints that it listens.
 */
export async function startServiceProcess(env: Record<string, string>): Promise<ServiceProcess> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ['dist/apps/api/src/main.js'], { env: { ...process.env, ...env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  await new Promise<void>((resolve, reject) => {
    const poll = setInterval(() => {
      if (output.includes('listening on')) done(resolve);
      else if (child.exitCode !== null || child.signalCode !== null) done(() => reject(new Error(`service exited: ${output}`)));
    }, 25);
    const done = (settle: () => void) => {
      clearInterval(poll);
      settle();
    };
  });
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    call: async (path, token, init = {}) => {
      const response = await fetch(`${url}${path}`, {
        method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
