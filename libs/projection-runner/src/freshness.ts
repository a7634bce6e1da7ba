import { ReadStore } from '@access-ledger/read-store';

/**
 * Read-your-writes: resolves true once every named projection has processed `position`,
 * false when `timeoutMs` passes first. Reads the stored checkpoints, so it works whether
 * the projections run in this process or in the projector.
 */
export async function waitForCheckpoints(
  readStore: ReadStore,
  projections: readonly string[],
  position: number,
  timeoutMs: number,
  pollMs = 10,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const checkpoints = await Promise.all(projections.map((p) => readStore.getCheckpoint(p)));
    if (checkpoints.every((c) => c >= position)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
