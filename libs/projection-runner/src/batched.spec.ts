import { batched } from './batched';

async function* source(items: number[], pauseAfter: number) {
  for (const [i, item] of items.entries()) {
    if (i === pauseAfter) await new Promise((r) => setTimeout(r, 20));
    yield item;
  }
}

describe('batched', () => {
  it('fills batches while items are ready and hands on a partial batch when the source waits', async () => {
    const out: number[][] = [];
    for await (const batch of batched(source([1, 2, 3, 4, 5, 6, 7], 5), 3)) out.push(batch);
    expect(out).toEqual([[1, 2, 3], [4, 5], [6, 7]]);
  });
});
