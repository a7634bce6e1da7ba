import { Consumers, SweepFactory, accessExpirySweep } from '@access-ledger/platform';
import type { Reactor } from '@access-ledger/projection-runner';
import { projections } from '@access-ledger/projections';

/**
 * The reactors the projector runs. None yet: provisioning and notifications will be registered
 * here (each idempotent by event id, see the Reactor type).
 */
export const reactors: readonly Reactor[] = [];

/** What the projector runs by the clock rather than by events (each idempotent, see the Sweep type): access expiry. The API runs the same with RUN_PROJECTIONS. */
export const sweeps: readonly SweepFactory[] = [accessExpirySweep];

/** Everything the projector runs, and the retry command can find by name. */
export const consumers: Consumers = { projections, reactors, sweeps };
