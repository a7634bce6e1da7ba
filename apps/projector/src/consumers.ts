import { Consumers, SweepFactory, accessExpirySweep } from '@access-ledger/platform';
import { projections } from '@access-ledger/projections';
import { reactors } from '@access-ledger/reactors';

/** What the projector runs by the clock rather than by events (each idempotent, see the Sweep type): access expiry. The API runs the same with RUN_PROJECTIONS. */
export const sweeps: readonly SweepFactory[] = [accessExpirySweep];

/**
 * Everything the projector runs, and the retry command can find by name: the read models, the
 * reactors (`libs/reactors`: notifications; the API runs the same list with RUN_PROJECTIONS)
 * and the sweeps.
 */
export const consumers: Consumers = { projections, reactors, sweeps };
