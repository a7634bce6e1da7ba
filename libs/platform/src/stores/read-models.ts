import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { DomainError } from '@access-ledger/core';
import { ReadStore } from '@access-ledger/read-store';
import { waitForCheckpoints } from '@access-ledger/projection-runner';
import { AppConfig } from '../config/config';
import { minPositionOf } from '../http/request-context';
import { APP_CONFIG, READ_STORE } from './tokens';

/** Query side: read-your-writes over the read store. */
@Injectable()
export class ReadModels {
  constructor(
    @Inject(READ_STORE) readonly store: ReadStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Honours X-Min-Position: waits (bounded) until the named projections have processed the
   * client's write; past the bound answers 503 with Retry-After rather than stale data.
   */
  async fresh(request: Request, ...projections: string[]): Promise<void> {
    const position = minPositionOf(request);
    if (position === undefined) return;
    const reached = await waitForCheckpoints(this.store, projections, position, this.config.readWaitTimeoutMs);
    if (!reached) {
      throw new DomainError('unavailable', 'read-model-behind', `The read model has not yet reached position ${position}; retry shortly.`, {
        retryAfterSeconds: 1,
      });
    }
  }
}
