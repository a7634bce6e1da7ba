import { RunnerLogger, Sweep, SweepRunner } from './index';

/** A sweep that records each pass's `now` and, when told to, takes `passMs` (on the fake clock) or throws. */
class Recording implements Sweep {
  readonly passes: string[] = [];
  readonly aborted: string[] = [];
  passMs = 0;
  failWith: Error | null = null;
  constructor(
    readonly name: string,
    readonly intervalMs: number,
  ) {}
  async sweep(now: Date, signal: AbortSignal): Promise<void> {
    this.passes.push(now.toISOString());
    if (this.passMs > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, this.passMs);
        signal.addEventListener('abort', () => {
          clearTimeout(timer);
          this.aborted.push(now.toISOString());
          resolve();
        });
      });
    }
    if (this.failWith) throw this.failWith;
  }
}

describe('SweepRunner', () => {
  const start = Date.parse('2026-06-01T00:00:00.000Z');
  const clock = () => new Date(Date.now());
  const logged: string[] = [];
  const logger: RunnerLogger = { log: () => undefined, warn: () => undefined, error: (m) => logged.push(m) };
  let runner: SweepRunner | undefined;

  beforeEach(() => {
    jest.useFakeTimers({ now: start });
    logged.length = 0;
  });
  afterEach(async () => {
    await runner?.stop();
    runner = undefined;
    jest.useRealTimers();
  });
  const at = (ms: number) => new Date(start + ms).toISOString();

  it('runs each sweep at start with the clock’s now, then an interval after each pass', async () => {
    const a = new Recording('a', 1000);
    const b = new Recording('b', 300);
    runner = new SweepRunner([a, b], { now: clock, logger });
    runner.start();
    await jest.advanceTimersByTimeAsync(2500);
    expect(a.passes).toEqual([at(0), at(1000), at(2000)]);
    expect(b.passes).toEqual([at(0), at(300), at(600), at(900), at(1200), at(1500), at(1800), at(2100), at(2400)]);
  });

  it('never overlaps passes of one sweep: the interval counts from the end of a slow pass', async () => {
    const slow = new Recording('slow', 1000);
    slow.passMs = 1500;
    runner = new SweepRunner([slow], { now: clock, logger });
    runner.start();
    await jest.advanceTimersByTimeAsync(6000);
    expect(slow.passes).toEqual([at(0), at(2500), at(5000)]);
  });

  it('logs a failed pass and runs the next one as usual', async () => {
    const failing = new Recording('failing', 1000);
    failing.failWith = new Error('read store locked');
    runner = new SweepRunner([failing], { now: clock, logger });
    runner.start();
    await jest.advanceTimersByTimeAsync(1500);
    expect(failing.passes).toEqual([at(0), at(1000)]);
    expect(logged).toEqual(['Sweep failing failed; it runs again in 1000 ms', 'Sweep failing failed; it runs again in 1000 ms']);
  });

  it('stops: aborts the pass under way, waits for it, and runs no pass after', async () => {
    const slow = new Recording('slow', 1000);
    slow.passMs = 10_000;
    runner = new SweepRunner([slow], { now: clock, logger });
    runner.start();
    await jest.advanceTimersByTimeAsync(500);
    await runner.stop();
    expect(slow.aborted).toEqual([at(0)]);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(slow.passes).toEqual([at(0)]);
    expect(logged).toEqual([]);
  });

  it('stops before its first pass has run, leaving nothing scheduled', async () => {
    const idle = new Recording('idle', 1000);
    runner = new SweepRunner([idle], { now: clock, logger });
    runner.start();
    await runner.stop();
    await jest.advanceTimersByTimeAsync(5000);
    expect(idle.passes).toEqual([]);
    expect(jest.getTimerCount()).toBe(0);
  });
});
