import { Actor, CommandContext, deriveId } from '@access-ledger/core';
import { participantDecider, participantStream } from '@access-ledger/care-access';
import { EventStore, handleCommand } from '@access-ledger/event-store';
import { Sweep, errorMessage } from '@access-ledger/projection-runner';
import { CareGrant, activeGrantsByUntil, dueForExpiry } from '@access-ledger/projections';
import { Keyset, ReadStore } from '@access-ledger/read-store';
import type { SweepFactory } from '../stores/stores.module';

/**
 * Who records AccessExpired: no person, this service. The envelope's actor says so (`system:`
 * ids, a `system` role, an address of no mailbox), so the audit timeline shows a system step.
 */
export const ACCESS_EXPIRY_ACTOR: Actor = { id: 'system:access-expiry', email: 'access-expiry@system', roles: ['system'] };

/** The ExpireAccess command of one grant always has this id: a second run finds it in the stream and appends nothing. */
export const expireCommandId = (grantId: string) => deriveId('expire', grantId);

export interface AccessExpiryOptions {
  readonly intervalMs: number;
  /** Grants read per page of `care_grants`. */
  readonly pageSize?: number;
}

/**
 * Records AccessExpired for every grant past its `until`, so that timelines show when access
 * ended. Access ends at `until` whether this has run or not: enforcement compares `until` with the
 * time itself, so a late or stopped sweeper delays only the record, never the end.
 *
 * A pass reads the active grants of `care_grants` soonest `until` first, page by page, and stops
 * at the first one not yet due. For each due grant it runs the participant decider's ExpireAccess
 * on the participant's stream, with the grant's own command id: the decider records nothing for a
 * grant already ended (or not yet due), and a command already recorded is not run again. So a
 * pass that stopped half way is just run again, and a grant the read model still shows active
 * after its AccessExpired was recorded costs one stream read.
 */
export class AccessExpiry implements Sweep {
  readonly name = 'access_expiry';
  readonly intervalMs: number;
  private readonly pageSize: number;

  constructor(
    private readonly events: EventStore,
    private readonly readStore: ReadStore,
    options: AccessExpiryOptions,
  ) {
    this.intervalMs = options.intervalMs;
    this.pageSize = options.pageSize ?? 100;
  }

  /** One pass at `now`. Tries every due grant; throws afterwards when some failed (they are tried again next pass). Returns the grants it expired or found expired. */
  async sweep(now: Date, signal?: AbortSignal): Promise<{ readonly due: readonly string[] }> {
    const at = now.toISOString();
    const due: string[] = [];
    const failed: { grantId: string; error: string }[] = [];
    let after: Keyset | undefined;
    for (;;) {
      const { collection, query } = activeGrantsByUntil(this.pageSize, after);
      const page = await this.readStore.find<CareGrant>(collection, query);
      const outcome = dueForExpiry(page.items, at);
      for (const grant of outcome.due) {
        if (signal?.aborted) return { due };
        try {
          await this.expire(grant, at);
          due.push(grant.id);
        } catch (error) {
          failed.push({ grantId: grant.id, error: errorMessage(error) });
        }
      }
      if (outcome.done || page.next === null) break;
      after = page.next;
    }
    if (failed.length > 0) {
      throw new Error(`Access expiry: ${failed.length} of ${failed.length + due.length} due grants could not be expired (grant ${failed[0].grantId}: ${failed[0].error})`);
    }
    return { due };
  }

  private async expire(grant: CareGrant, now: string): Promise<void> {
    const commandId = expireCommandId(grant.id);
    const context: CommandContext = { commandId, actor: ACCESS_EXPIRY_ACTOR, now, correlationId: commandId, causationId: commandId };
    await handleCommand(this.events, participantDecider, participantStream(grant.participantId), { type: 'ExpireAccess', grantId: grant.id, now }, context);
  }
}

/** The access-expiry sweep as the apps list it (`Consumers.sweeps`): a pass every ACCESS_EXPIRY_INTERVAL_MS. */
export const accessExpirySweep: SweepFactory = ({ events, readStore, config }) => new AccessExpiry(events, readStore, { intervalMs: config.accessExpiryIntervalMs });
