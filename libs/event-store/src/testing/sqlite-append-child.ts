/**
 * A process that appends to an embedded store, for the specs that need another process on the
 * same file (sqlite-writer.spec.ts): `node -r ./register-ts.js sqlite-append-child.ts <file>
 * <label> <writers> <appends per writer, or "forever">`. Each of `writers` loops appends one
 * event at a time to its own stream with the exact expected revision and prints, once the
 * append is acknowledged, `ack <streamId> <revision> <position> <eventId>`; then `done`.
 */
import { newId } from '@access-ledger/core';
import { SqliteEventStore } from '../sqlite-event-store';
import { anEvent } from './event-store.contract';

async function main() {
  const [file, label, writers, appends] = process.argv.slice(2);
  const store = new SqliteEventStore({ file });
  const count = appends === 'forever' ? Number.POSITIVE_INFINITY : Number(appends);
  await Promise.all(
    Array.from({ length: Number(writers) }, async (_, writer) => {
      const streamId = `${label}-${writer}-${newId()}`;
      for (let revision = 0; revision < count; revision += 1) {
        const event = anEvent('Appended', { label, writer, revision });
        const { position } = await store.appendToStream(streamId, [event], { expectedRevision: revision === 0 ? 'no_stream' : revision - 1 });
        process.stdout.write(`ack ${streamId} ${revision} ${position} ${event.eventId}\n`);
      }
    }),
  );
  await store.close();
  process.stdout.write('done\n');
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
