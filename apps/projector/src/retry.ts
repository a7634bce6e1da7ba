import 'reflect-metadata';
import { AppConfig, Consumers, createEventStore, createReadStore, loadConfigOrExit, makeReactors } from '@access-ledger/platform';
import { ParkedConsumer, ParkedEvents, ensureRunnerCollections, retryParked } from '@access-ledger/projection-runner';
import { consumers as registered } from './consumers';

export interface RetryIo {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
}

const USAGE = 'Usage: npm run reactors:retry -- <reactor or projection> <position>';

/**
 * `npm run reactors:retry -- <name> <position>`: runs one parked event once more for its reactor
 * (or projection) and removes it from the parked list when that succeeds. Exit code 0 when it
 * went through, 1 when it failed (it stays parked, with the attempt recorded), 2 for a wrong
 * command line. With a name only, lists that consumer's parked events.
 */
export async function retryCommand(args: readonly string[], config: AppConfig, io: RetryIo, consumers: Consumers = registered): Promise<number> {
  const [name, positionText] = args;
  const position = positionText !== undefined && /^\d+$/.test(positionText) ? Number(positionText) : undefined;
  const events = await createEventStore(config);
  const reads = await createReadStore(config);
  try {
    // Reactors are made as the runners make them (a factory needs the stores and the configuration).
    const reactors = makeReactors(consumers.reactors, { events, readStore: reads, config });
    const projection = consumers.projections.find((p) => p.name === name);
    const reactor = reactors.find((r) => r.name === name);
    const consumer: ParkedConsumer | undefined = reactor ? { kind: 'reactor', reactor } : projection ? { kind: 'projection', projection } : undefined;
    if (!consumer) {
      const names = (list: readonly { name: string }[]) => (list.length > 0 ? list.map((c) => c.name).join(', ') : '(none)');
      io.err(`${USAGE}\nReactors: ${names(reactors)}\nProjections: ${names(consumers.projections)}`);
      return 2;
    }
    if (position === undefined) {
      await ensureRunnerCollections(reads);
      const parked = await new ParkedEvents(reads).list(name!);
      io.err(`${USAGE}\n${parked.length === 0 ? `${name} has no parked events.` : `Parked events of ${name}:`}`);
      for (const p of parked) io.err(`  ${p.position}  ${p.type}  ${p.eventId}  ${p.attempts} attempts, parked ${p.parkedAt}: ${p.error}`);
      return 2;
    }
    const outcome = await retryParked(events, reads, consumer, position);
    (outcome.ok ? io.out : io.err)(outcome.message);
    return outcome.ok ? 0 : 1;
  } finally {
    await reads.close();
    await events.close();
  }
}

if (require.main === module) {
  const config = loadConfigOrExit(process.env, { auth: false, auditKey: false });
  retryCommand(process.argv.slice(2), config, { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) }).then(
    (code) => process.exit(code),
    (error) => {
      process.stderr.write(`Retry failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
