import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { REPLAYABLE, TimelineEntry, categoryOf, isStreamId, parseInstant, replayableOf, stateAt, timelineOf } from '@access-ledger/audit';
import { AppConfig, createEventStore, loadConfigOrExit } from '@access-ledger/platform';

export interface ReplayIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const USAGE = 'Usage: npm run replay -- --stream <category>-<id> [--as-of <ISO 8601 instant>] [--json]';

const show = (value: unknown) => JSON.stringify(value === undefined ? null : value);

/** One timeline entry as lines for a terminal: when, what, who, where in the log; the sentence; what changed. */
const entryLines = (entry: TimelineEntry): string[] => [
  `#${entry.revision}  ${entry.at}  ${entry.type}  by ${entry.actor.email}${entry.actor.organisationId ? ` (organisation ${entry.actor.organisationId})` : ''}  position ${entry.position}  correlation ${entry.correlationId}`,
  `    ${entry.summary}`,
  ...(entry.reason !== undefined ? [`    reason: ${show(entry.reason)}`] : []),
  ...entry.changes.map((change) => `    ${change.field}: ${show(change.from)} -> ${show(change.to)}`),
];

/**
 * `npm run replay -- --stream request-<id> [--as-of <ISO>] [--json]`: an entity's timeline and its
 * state (at the instant, or after its last event) for an auditor at a terminal, read from the
 * configured event store (the embedded one in DATA_DIR by default) with the same deciders as the
 * service (libs/audit). It only reads: nothing is appended, so it may run beside the service; and
 * so, unlike the HTTP audit reads, it records no AuditRecordRead (whoever runs it can read the
 * store's files anyway). Exit code 0 when printed, 1 for an empty stream, 2 for a wrong command line.
 */
export async function replayCommand(args: readonly string[], config: AppConfig, io: ReplayIo): Promise<number> {
  let values: { stream?: string; 'as-of'?: string; json?: boolean };
  try {
    ({ values } = parseArgs({ args: [...args], options: { stream: { type: 'string' }, 'as-of': { type: 'string' }, json: { type: 'boolean' } }, allowPositionals: false }));
  } catch (error) {
    io.err(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    return 2;
  }
  const streamId = values.stream;
  if (!streamId || !isStreamId(streamId)) {
    io.err(`${streamId ? `Not a stream id: ${show(streamId)}.\n` : ''}${USAGE}`);
    return 2;
  }
  const replayable = replayableOf(streamId);
  if (!replayable) {
    io.err(`Streams of category ${show(categoryOf(streamId))} are not replayed. Categories: ${Object.keys(REPLAYABLE).join(', ')}.`);
    return 2;
  }
  const asOf = values['as-of'] === undefined ? null : parseInstant(values['as-of']);
  if (values['as-of'] !== undefined && asOf === null) {
    io.err(`--as-of must be an ISO 8601 date and time with an offset, e.g. 2026-05-01T09:00:00Z (got ${show(values['as-of'])}).`);
    return 2;
  }
  if (config.eventStore.kind === 'sqlite' && !existsSync(config.eventStore.file)) {
    io.err(`No event store at ${config.eventStore.file} (set DATA_DIR, or EVENT_STORE and its connection).`);
    return 1;
  }

  const events = await createEventStore(config);
  try {
    const recorded = await events.readStream(streamId);
    if (recorded.length === 0) {
      io.err(`No events are recorded in ${streamId}.`);
      return 1;
    }
    const { entries, state } = timelineOf(replayable, recorded);
    const at = asOf === null ? { state, revision: recorded.length - 1 } : stateAt(replayable, recorded, asOf);
    if (values.json) {
      io.out(JSON.stringify({ streamId, timeline: entries, state: at && { state: at.state, revision: at.revision, asOf } }, null, 2));
      return 0;
    }
    io.out(`${streamId}: ${entries.length} event${entries.length === 1 ? '' : 's'}, oldest first`);
    io.out('');
    for (const entry of entries) {
      if (asOf !== null && at !== null && entry.revision === at.revision + 1) io.out(`---- as of ${asOf}: the state below stops here ----`);
      if (asOf !== null && at === null && entry.revision === 0) io.out(`---- as of ${asOf}: nothing was recorded yet ----`);
      for (const line of entryLines(entry)) io.out(line);
    }
    io.out('');
    if (at === null) {
      io.out(`State as of ${asOf}: none (the first event occurred at ${recorded[0].metadata.occurredAt}).`);
    } else {
      io.out(`State ${asOf === null ? 'after the last event' : `as of ${asOf}`} (revision ${at.revision}):`);
      io.out(JSON.stringify(at.state, null, 2));
    }
    return 0;
  } finally {
    await events.close();
  }
}

if (require.main === module) {
  const config = loadConfigOrExit(process.env, { auth: false });
  replayCommand(process.argv.slice(2), config, { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) }).then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`Replay failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
