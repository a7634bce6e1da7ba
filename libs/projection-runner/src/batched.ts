const NOT_READY = Symbol('not-ready');
const nextTurn = () => new Promise<typeof NOT_READY>((resolve) => setImmediate(() => resolve(NOT_READY)));

/**
 * Groups what an async iterable has ready into arrays of at most `max` items: while the
 * source delivers without waiting (catch-up), batches fill up; once it would wait (live),
 * whatever arrived is handed on at once. Pull-based, so nothing piles up in memory.
 */
export async function* batched<T>(source: AsyncIterable<T>, max: number): AsyncGenerator<T[]> {
  const iterator = source[Symbol.asyncIterator]();
  let pending = iterator.next();
  try {
    for (;;) {
      const first = await pending;
      if (first.done) return;
      const batch = [first.value];
      pending = iterator.next();
      let ended = false;
      while (batch.length < max) {
        const result = await Promise.race([pending, nextTurn()]);
        if (result === NOT_READY) break;
        if (result.done) {
          ended = true;
          break;
        }
        batch.push(result.value);
        pending = iterator.next();
      }
      yield batch;
      if (ended) return;
    }
  } finally {
    await iterator.return?.();
  }
}
