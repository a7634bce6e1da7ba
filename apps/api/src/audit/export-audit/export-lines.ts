import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ExportSelection } from '@access-ledger/audit';

/** What the export's worker thread is asked (export-lines.worker.ts). */
export interface ExportLinesJob {
  /** How many workers share the windows, and which one this is: window w is worker (w mod workers)'s. */
  readonly workers: number;
  readonly index: number;
  /** The embedded store's database file, read through a read-only connection of the worker's own. */
  readonly file: string;
  readonly throughPosition: number;
  readonly format: string;
  readonly selection: ExportSelection;
  /** Positions per window read (and at most events per batch). */
  readonly pageSize: number;
  /** Batches sent and not yet taken by the main thread: the bound on what the worker reads ahead. */
  readonly maxBatchesAhead: number;
}

/**
 * One batch: for each selected event in position order, the canonical content of its line (without
 * `hash`) and then its `occurredAt`, one after the other in one text (a single string crosses
 * threads for much less than a thousand), cut by `ends` (two offsets an event: where its content
 * ends, where its time ends), and its position.
 */
export interface ExportLinesBatch {
  readonly kind: 'lines';
  readonly text: string;
  readonly ends: Uint32Array;
  readonly positions: Float64Array;
}

/** The batch's events, one at a time: (canonical content, position, occurredAt). */
export function forEachLine(batch: ExportLinesBatch, each: (canonical: string, position: number, occurredAt: string) => void): void {
  const { text, ends, positions } = batch;
  let from = 0;
  for (let i = 0; i < positions.length; i += 1) {
    const contentEnd = ends[2 * i];
    const timeEnd = ends[2 * i + 1];
    each(text.slice(from, contentEnd), positions[i], text.slice(contentEnd, timeEnd));
    from = timeEnd;
  }
}

type WorkerMessage = ExportLinesBatch | { readonly kind: 'done' };

const BUILT = join(__dirname, 'export-lines.worker.js');
const SOURCE = join(__dirname, 'export-lines.worker.ts');
const REPO_ROOT = join(__dirname, '..', '..', '..', '..', '..');

/**
 * Run from the TypeScript sources (ts-jest), there is no built worker: the worker compiles the
 * sources as it loads them, with the typescript and tsconfig-paths development packages (only
 * present where the sources are run). The built service starts export-lines.worker.js.
 */
const FROM_SOURCES = `
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { workerData } = require('node:worker_threads');
const ts = require('typescript');
const options = { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, experimentalDecorators: true, emitDecoratorMetadata: true };
require.extensions['.ts'] = (module, filename) => module._compile(ts.transpileModule(readFileSync(filename, 'utf8'), { fileName: filename, compilerOptions: options }).outputText, filename);
const { config } = ts.readConfigFile(join(workerData.repoRoot, 'tsconfig.json'), ts.sys.readFile);
require('tsconfig-paths').register({ baseUrl: workerData.repoRoot, paths: config.compilerOptions.paths });
require(workerData.script);
`;

const startWorker = (): Worker =>
  existsSync(BUILT) ? new Worker(BUILT) : new Worker(FROM_SOURCES, { eval: true, workerData: { script: SOURCE, repoRoot: REPO_ROOT } });

/** One worker and what it has sent for the job in hand that is not taken yet. */
class LinesWorker {
  readonly worker = startWorker();
  readonly queue: WorkerMessage[] = [];
  failure: Error | null = null;
  exited = false;
  woken: () => void = () => undefined;

  constructor() {
    this.worker.on('message', (message: WorkerMessage) => {
      this.queue.push(message);
      this.woken();
    });
    this.worker.on('error', (error) => {
      this.failure ??= error;
      this.woken();
    });
    this.worker.on('exit', (code) => {
      this.exited = true;
      this.failure ??= new Error(`The export worker stopped (exit code ${code})`);
      this.woken();
    });
  }
}

/**
 * The export's worker threads, kept between exports so that each export finds them started and
 * warm (a worker's start, its modules loaded and compiled, costs about as much as reading tens of
 * thousands of events). Exports at the same time each get their own; at most `keep` wait idle
 * (unref'd: they keep no process alive).
 */
export class ExportLinesPool {
  private readonly idle: LinesWorker[] = [];
  private closed = false;

  constructor(private readonly keep = 2) {}

  /**
   * The export's lines as worker threads put them together, a batch (a window of positions) at a
   * time, in position order: `workers` threads read alternate windows, taken here in turn. Each
   * batch is acknowledged when it is taken, so a worker reads at most `maxBatchesAhead` batches
   * ahead of the consumer. A consumer that stops early (return or throw) ends its workers; a
   * worker that fails throws here.
   */
  async *lines(job: Omit<ExportLinesJob, 'index'>): AsyncGenerator<ExportLinesBatch> {
    if (this.closed) throw new Error('The export workers are closed');
    let wake: (() => void) | null = null;
    const woken = () => {
      wake?.();
      wake = null;
    };
    const workers = Array.from({ length: job.workers }, () => this.idle.pop() ?? new LinesWorker()).map((w) => (w.failure ? new LinesWorker() : w));
    let finished = false;
    try {
      workers.forEach((w, index) => {
        w.woken = woken;
        w.worker.ref();
        w.worker.postMessage({ kind: 'job', job: { ...job, index } });
      });
      const next = async (w: LinesWorker): Promise<WorkerMessage> => {
        for (;;) {
          const failed = workers.find((other) => other.failure);
          if (failed) throw failed.failure;
          const message = w.queue.shift();
          if (message) return message;
          await new Promise<void>((resolve) => (wake = resolve));
        }
      };
      for (let window = 0; ; window += 1) {
        const turn = workers[window % workers.length];
        const message = await next(turn);
        if (message.kind === 'done') {
          // The worker whose turn it is has no window left: neither has any other; each ends with its own 'done'.
          for (const other of workers) if (other !== turn) while ((await next(other)).kind !== 'done');
          finished = true;
          return;
        }
        // Taken now, so that the worker reads its next window while this batch is hashed and written.
        turn.worker.postMessage('taken');
        yield message;
      }
    } finally {
      for (const w of workers) {
        if (finished && !this.closed && this.idle.length < this.keep) {
          w.woken = () => undefined;
          w.worker.unref();
          this.idle.push(w);
        } else await w.worker.terminate();
      }
    }
  }

  /** Starts the workers that wait idle, in the built service (from the sources, under ts-jest, each start compiles them: they start on first use there). */
  warm(): void {
    if (!existsSync(BUILT)) return;
    while (this.idle.length < this.keep) {
      const w = new LinesWorker();
      w.worker.unref();
      this.idle.push(w);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.idle.splice(0).map((w) => w.worker.terminate()));
  }
}
