import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { ExportSelection } from '@access-ledger/audit';

/** What the export's worker thread is asked (export-lines.worker.ts). */
export interface ExportLinesJob {
  /** The embedded store's database file, read through a read-only connection of the worker's own. */
  readonly file: string;
  readonly throughPosition: number;
  readonly format: string;
  readonly selection: ExportSelection;
  /** Rows read per page, and at most events per batch. */
  readonly pageSize: number;
  /** Batches sent and not yet taken by the main thread: the bound on what the worker reads ahead. */
  readonly maxBatchesAhead: number;
}

/** One batch: the canonical contents of selected events' lines (without `hash`), their positions and times, in position order. */
export interface ExportLinesBatch {
  readonly kind: 'lines';
  readonly canonicals: string[];
  readonly positions: number[];
  readonly occurredAts: string[];
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

const startWorker = (job: ExportLinesJob): Worker =>
  existsSync(BUILT) ? new Worker(BUILT, { workerData: job }) : new Worker(FROM_SOURCES, { eval: true, workerData: { ...job, script: SOURCE, repoRoot: REPO_ROOT } });

/**
 * The export's lines as the worker thread puts them together, a batch at a time, in position
 * order. Each batch is acknowledged when it is taken, so the worker reads at most
 * `maxBatchesAhead` batches ahead of the consumer; a consumer that stops (return or throw)
 * ends the worker. A worker that fails throws here.
 */
export async function* linesFromWorker(job: ExportLinesJob): AsyncGenerator<ExportLinesBatch> {
  const worker = startWorker(job);
  const queue: WorkerMessage[] = [];
  let failure: Error | null = null;
  let exited = false;
  let wake: (() => void) | null = null;
  const woken = () => {
    wake?.();
    wake = null;
  };
  worker.on('message', (message: WorkerMessage) => {
    queue.push(message);
    woken();
  });
  worker.on('error', (error) => {
    failure ??= error;
    woken();
  });
  worker.on('exit', (code) => {
    exited = true;
    if (code !== 0) failure ??= new Error(`The export worker stopped with exit code ${code}`);
    woken();
  });
  try {
    for (;;) {
      const message = queue.shift();
      if (message === undefined) {
        if (failure) throw failure;
        if (exited) throw new Error('The export worker ended before its last batch');
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      if (message.kind === 'done') return;
      // Taken now, so that the worker reads the next page while this batch is hashed and written.
      worker.postMessage('taken');
      yield message;
    }
  } finally {
    await worker.terminate();
  }
}
