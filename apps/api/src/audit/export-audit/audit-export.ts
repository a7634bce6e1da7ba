import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Writable } from 'node:stream';
import { ExportFormat, ExportSelection, ExportWriter, manifestLine, manifestSigningText } from '@access-ledger/audit';
import { EventStore } from '@access-ledger/event-store';
import { EVENT_STORE, written } from '@access-ledger/platform';
import { AuditSigner, sha256Hex } from '../audit-signing';

/** Lines are gathered into writes of about this many characters (fewer, larger writes to the socket). */
const CHUNK_CHARS = 64 * 1024;

/**
 * Writes an export (libs/audit/src/export-chain.ts) to a stream at constant memory: the log is
 * read with `readAll` as the writes drain, so a slow client slows the read down (back-pressure:
 * a write that the socket does not take at once is waited for), and a client that goes away
 * stops it. Events appended after the export began (past the head it read first) are left to
 * the next export, so the manifest's `throughPosition` says exactly what was considered.
 */
@Injectable()
export class AuditExport {
  private readonly logger = new Logger(AuditExport.name);

  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    private readonly signer: AuditSigner,
  ) {}

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
      // As stored: the writer hashes and writes the store's canonical text as it is where it can (ExportWriter.storedLine).
      for await (const event of this.events.readAllStored()) {
        if (event.position > throughPosition || gone) break;
        chunk += writer.storedLine(event) ?? '';
        if (chunk.length >= CHUNK_CHARS) {
          await written(out, chunk);
          chunk = '';
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
