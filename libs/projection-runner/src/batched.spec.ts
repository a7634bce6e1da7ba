import { batched } from './batched';

/** Yields `items`, waiting before the one at `pauseAt` until `gate` opens (a live source with nothing new yet). */
async function* source(items: number[], pauseAt: number, gate: Promise<void>) {
  for (const [i, item] of items.entries()) {
    if (i === pauseAt) await gate;
    yield item;
  }
}

describe('batched', () => {
  it('fills batches while items are ready and hands on a partial batch when the source waits', async () => {
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    const out: number[][] = [];
    // The source waits until the consumer has the partial batch: no timer races the check, so
    // the test holds on a loaded machine too.
    for await (const batch of batched(source([1, 2, 3, 4, 5, 6, 7], 5, gate), 3)) {
      out.push(batch);
      if (batch.includes(5)) open();
    }
    expect(out).toEqual([[1, 2, 3], [4, 5], [6, 7]]);
  });
});
