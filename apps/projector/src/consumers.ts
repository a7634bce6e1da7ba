import type { Consumers } from '@access-ledger/platform';
import type { Reactor } from '@access-ledger/projection-runner';
import { projections } from '@access-ledger/projections';

/**
 * The reactors the projector runs. None yet: provisioning, notifications and consent expiry
 * will be registered here (each idempotent by event id, see the Reactor type).
 */
export const reactors: readonly Reactor[] = [];

/** Everything the projector runs, and the retry command can find by name. */
export const consumers: Consumers = { projections, reactors };
