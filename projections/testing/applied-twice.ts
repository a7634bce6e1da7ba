import { RecordedEvent } from '@access-ledger/core';
import { Document, Projection } from '@access-ledger/read-store';
import { throughStore } from './through-store';

/**
 * Applies `history`, then `event`, then `event` again, each as the projection runner would
 * (one batch, changes written with the checkpoint through the real read store and its
 * position guard), and returns the documents after the first and after the second delivery.
 * At-least-once delivery re-sends a batch after a crash: the two must be equal.
 */
export async function appliedTwice(projection: Projection<Document>, history: readonly RecordedEvent[], event: RecordedEvent) {
  return throughStore(projection, async ({ deliver, snapshot }) => {
    for (const past of history) await deliver([past]);
    await deliver([event]);
    const once = await snapshot();
    await deliver([event]);
    return { once, twice: await snapshot() };
  });
}
