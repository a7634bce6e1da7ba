import 'reflect-metadata';
import { SingleBar, Presets } from 'cli-progress';
import { projections, projectionNamed } from '@access-ledger/projections';
import { ParkedEvents, ensureRunnerCollections, rebuildProjection } from '@access-ledger/projection-runner';
import { createEventStore, createReadStore, loadConfigOrExit } from '@access-ledger/platform';

/**
 * `npm run projections:rebuild -- <name>`: rebuilds one read model from position 0 into a
 * fresh collection and swaps it in when caught up; readers never see a half-built table.
 */
async function main(): Promise<number> {
  const name = process.argv[2];
  const projection = name ? projectionNamed(name) : undefined;
  if (!projection) {
    process.stderr.write(`Usage: npm run projections:rebuild -- <name>\nProjections: ${projections.map((p) => p.name).join(', ')}\n`);
    return 2;
  }
  const config = loadConfigOrExit(process.env, { auth: false, auditKey: false });
  const events = await createEventStore(config);
  const reads = await createReadStore(config);
  const bar = new SingleBar({ format: `${projection.name} [{bar}] {percentage}% | {value}/{total} positions | {rate} events/s | {eta_formatted} left`, etaBuffer: 50 }, Presets.shades_classic);
  const started = Date.now();
  bar.start(Math.max(1, await events.headPosition()), 0, { rate: 0 });
  try {
    const result = await rebuildProjection(events, reads, projection, {
      onProgress: ({ position, head, events: count }) => {
        bar.setTotal(Math.max(1, head));
        bar.update(position, { rate: Math.round(count / Math.max(0.001, (Date.now() - started) / 1000)) });
      },
    });
    bar.update(Math.max(1, result.head));
    bar.stop();
    const seconds = (Date.now() - started) / 1000;
    process.stdout.write(`Rebuilt ${projection.name}: ${result.events} events in ${seconds.toFixed(1)} s (${Math.round(result.events / Math.max(seconds, 0.001))} events/s), now at position ${result.position}.\n`);
    // The rebuild applied every event up to there without an error (it stops at the first), so none of them is parked any more.
    await ensureRunnerCollections(reads);
    const cleared = await new ParkedEvents(reads).removeUpTo(projection.name, result.position);
    if (cleared > 0) process.stdout.write(`Cleared ${cleared} parked event${cleared === 1 ? '' : 's'} of ${projection.name} it replayed.\n`);
    return 0;
  } finally {
    bar.stop();
    await reads.close();
    await events.close();
  }
}

main().then((code) => process.exit(code), (error) => {
  process.stderr.write(`Rebuild failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
