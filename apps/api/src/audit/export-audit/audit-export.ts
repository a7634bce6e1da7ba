import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import type { Writable } from 'node:stream';
import { ExportFormat, ExportSelection, ExportWriter, manifestLine, manifestSigningText } from '@access-ledger/audit';
import { EventStore, SqliteEventStore } from '@access-ledger/event-store';
import { EVENT_STORE, written } from '@access-ledger/platform';
import { AuditSigner, sha256Hex } from '../audit-signing';
import { ExportLinesPool, forEachLine } from './export-lines';

/** Lines are gathered into writes of about this many characters (fewer, larger writes to the socket). */
const CHUNK_CHARS = 64 * 1024;

export interface AuditExportOptions {
  /**
   * From how many events in the log (its head) an export on the embedded store reads and puts its
   * lines together in a worker thread; below, starting the worker (tens of ms) costs more than it
   * saves. Other stores always take the main thread.
   */
  readonly workerFromEvents: number;
  /** Worker threads, reading alternate windows of the log. */
  readonly workers: number;
  /** Positions per window a worker reads and sends as one batch. */
  readonly workerPageSize: number;
  /** Batches the worker may send ahead of the writes (memory: about pageSize × 1 KB each). */
  readonly workerBatchesAhead: number;
}

export const AUDIT_EXPORT_OPTIONS = Symbol('AUDIT_EXPORT_OPTIONS');

const DEFAULT_OPTIONS: AuditExportOptions = { workerFromEvents: Number.MAX_SAFE_INTEGER, workers: 2, workerPageSize: 1000, workerBatchesAhead: 2 };

/**
 * Writes an export (libs/audit/src/export-chain.ts) to a stream at constant memory: the log is
 * read with `readAll` as the writes drain, so a slow client slows the read down (back-pressure:
 * a write that the socket does not take at once is waited for), and a client that goes away
 * stops it. Events appended after the export began (past the head it read first) are left to
 * the next export, so the manifest's `throughPosition` says exactly what was considered.
 */
@Injectable()
export class AuditExport implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(AuditExport.name);

  private readonly options: AuditExportOptions;
  /** Started by the first export that takes the worker path, kept warm for the next ones. */
  private readonly pool = new ExportLinesPool();

  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    private readonly signer: AuditSigner,
    @Optional() @Inject(AUDIT_EXPORT_OPTIONS) options?: Partial<AuditExportOptions>,
  ) {
    this.options = { ...DEFAULT_OPTIONS, ...options };
  }

  /** On the embedded store, the workers are started with the service, so that an export finds them ready. */
  onModuleInit(): void {
    if (this.events instanceof SqliteEventStore && this.options.workerFromEvents < Number.MAX_SAFE_INTEGER) this.pool.warm();
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.close();
  }

  async write(selection: ExportSelection, format: ExportFormat, out: Writable): Promise<void> {
    const throughPosition = await this.events.headPosition();
    const writer = new ExportWriter(sha256Hex, format, { ...selection, format: format.name, throughPosition });
    let gone = false;
    const onClose = () => {
      gone = true;
    };
    out.once('close', onClose);
    try {
      let chunk = '';
      const events = this.events;
      if (events instanceof SqliteEventStore && throughPosition >= this.options.workerFromEvents) {
        // A worker thread reads the rows and puts the lines' canonical text together (ExportLines); here they are only chained, hashed and written, so both run at once.
        const job = { workers: this.options.workers, file: events.file, throughPosition, format: format.name, selection, pageSize: this.options.workerPageSize, maxBatchesAhead: this.options.workerBatchesAhead };
        for await (const batch of this.pool.lines(job)) {
          if (gone) break;
          forEachLine(batch, (canonical, position, occurredAt) => {
            chunk += writer.chained(canonical, position, occurredAt);
          });
          // A batch (a page of the log) at a time, as the main-thread path reads a page at a time.
          if (chunk.length >= CHUNK_CHARS) {
            await written(out, chunk);
            chunk = '';
          }
        }
      } else {
        // As stored: the writer hashes and writes the store's canonical text as it is where it can (ExportWriter.storedLine).
        for await (const event of this.events.readAllStored()) {
          if (event.position > throughPosition || gone) break;
          chunk += writer.storedLine(event) ?? '';
          if (chunk.length >= CHUNK_CHARS) {
            await written(out, chunk);
            chunk = '';
          }
        }
      }
      if (gone) return;
      const manifest = writer.manifest(new Date().toISOString(), this.signer.publicKeySha256);
      out.end(chunk + manifestLine({ manifest, signature: this.signer.sign(manifestSigningText(manifest)) }));
    } catch (error) {
      // The status line is sent: the client sees a cut file (no manifest), which never verifies.
      this.logger.error(`Audit export failed after the response began: ${error instanceof Error ? error.message : String(error)}`);
      out.destroy(error instanceof Error ? error : new Error(String(error)));
    } finally {
      out.off('close', onClose);
    }
  }
}
