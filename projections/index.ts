import { Projection } from '@access-ledger/read-store';

/** Every read model the service maintains; the runner, the rebuild tool and readiness use this list. */
export const projections: readonly Projection<any>[] = [];

export const projectionNamed = (name: string): Projection<any> | undefined => projections.find((p) => p.name === name);
