/**
 * The load generator of `npm run bench:http` and `npm run bench:soak`, in a process of its own
 * (forked by http.bench.ts): autocannon, keep-alive connections, each connection running the
 * request workflow as a user does, one step after the other with the id the previous answer
 * gave: create (as a requester), submit (the same requester), approve (a SPOC).
 *
 * Per step it measures from the moment autocannon builds the request (setupRequest, called just
 * before it writes it on the connection) to the moment the answer has arrived (onResponse), so
 * the step latencies add up to autocannon's own histogram. Samples are kept per time window
 * (the soak compares the first window with the last).
 */
import autocannon from 'autocannon';
import { percentile } from './support';

export const STEPS = ['create', 'submit', 'approve'] as const;
export type Step = (typeof STEPS)[number];

export interface LoadPlan {
  readonly url: string;
  readonly connections: number;
  readonly seconds: number;
  /** Window length for the per-window figures (the soak's first and last minute). */
  readonly windowSeconds: number;
  readonly organisationId: string;
  /** Requester tokens, dealt out one per flow in turn. */
  readonly requesters: readonly string[];
  readonly approver: string;
}

export interface StepFigures {
  readonly count: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  /** Answers that were not 2xx: a benchmark with any of them measured something else. */
  readonly failed: number;
  readonly firstFailure?: string;
}

export interface WindowFigures {
  readonly startSecond: number;
  readonly requests: number;
  readonly p50: number;
  readonly p99: number;
}

export interface LoadResult {
  readonly seconds: number;
  readonly flowsPerSecond: number;
  readonly requestsPerSecond: number;
  readonly steps: Record<Step, StepFigures>;
  /** autocannon's own figures over every request of the run. */
  readonly autocannon: { readonly p50: number; readonly p99: number; readonly requestsPerSecond: number; readonly errors: number; readonly timeouts: number; readonly non2xx: number };
  readonly windows: readonly WindowFigures[];
}

interface FlowContext {
  token?: string;
  id?: string;
  sentAt?: number;
}

const now = () => Number(process.hrtime.bigint()) / 1e6;

export async function runLoad(plan: LoadPlan): Promise<LoadResult> {
  const samples: Record<Step, number[]> = { create: [], submit: [], approve: [] };
  const failures: Record<Step, { count: number; first?: string }> = { create: { count: 0 }, submit: { count: 0 }, approve: { count: 0 } };
  const windows: number[][] = [];
  let began = 0;
  let dealt = 0;
  const headers = (token: string) => ({ 'content-type': 'application/json', authorization: `Bearer ${token}` });

  const measured = (step: Step, build: (request: autocannon.Request, context: FlowContext) => autocannon.Request): Pick<autocannon.Request, 'setupRequest' | 'onResponse'> => ({
    setupRequest: (request, context) => {
      const flow = context as FlowContext;
      const built = build(request, flow);
      flow.sentAt = now();
      return built;
    },
    onResponse: (status, body, context) => {
      const flow = context as FlowContext;
      const at = now();
      const latency = at - flow.sentAt!;
      samples[step].push(latency);
      (windows[Math.floor((at - began) / 1000 / plan.windowSeconds)] ??= []).push(latency);
      if (status < 200 || status >= 300) {
        failures[step].count += 1;
        failures[step].first ??= `${status} ${body.slice(0, 300)}`;
      } else if (step === 'create') {
        flow.id = (JSON.parse(body) as { id: string }).id;
      }
    },
  });

  const requests: autocannon.Request[] = [
    {
      method: 'POST',
      path: '/requests',
      ...measured('create', (request, flow) => {
        flow.token = plan.requesters[(dealt += 1) % plan.requesters.length];
        return { ...request, headers: headers(flow.token), body: JSON.stringify({ organisationId: plan.organisationId, application: 'bench-app' }) };
      }),
    },
    {
      method: 'POST',
      ...measured('submit', (request, flow) => ({ ...request, path: `/requests/${flow.id}/submit`, headers: headers(flow.token!), body: '{}' })),
    },
    {
      method: 'POST',
      ...measured('approve', (request, flow) => ({ ...request, path: `/requests/${flow.id}/approve`, headers: headers(plan.approver), body: JSON.stringify({ confirm: true }) })),
    },
  ];

  began = now();
  const result = await autocannon({ url: plan.url, connections: plan.connections, pipelining: 1, duration: plan.seconds, requests, timeout: 30 });
  const seconds = (now() - began) / 1000;
  const summary = (values: number[]) => {
    values.sort((a, b) => a - b);
    return { p50: percentile(values, 50), p99: percentile(values, 99) };
  };
  const steps = Object.fromEntries(
    STEPS.map((step) => [step, { count: samples[step].length, perSecond: samples[step].length / seconds, ...summary(samples[step]), failed: failures[step].count, firstFailure: failures[step].first }]),
  ) as Record<Step, StepFigures>;
  const total = STEPS.reduce((sum, step) => sum + samples[step].length, 0);
  return {
    seconds,
    flowsPerSecond: steps.approve.count / seconds,
    requestsPerSecond: total / seconds,
    steps,
    autocannon: {
      p50: result.latency.p50,
      p99: result.latency.p99,
      requestsPerSecond: result.requests.average,
      errors: result.errors,
      timeouts: result.timeouts,
      non2xx: result.non2xx,
    },
    // A window autocannon's stop cut short is left out: it would compare a few seconds with a minute.
    windows: windows
      .map((values, i) => ({ startSecond: i * plan.windowSeconds, requests: values.length, ...summary(values) }))
      .filter((w) => w.startSecond + plan.windowSeconds <= seconds + 0.5),
  };
}

if (require.main === module) {
  process.once('message', (plan: LoadPlan) => {
    runLoad(plan).then(
      (result) => process.send!(result, () => process.exit(0)),
      (error: unknown) => {
        process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
        process.exit(1);
      },
    );
  });
}
