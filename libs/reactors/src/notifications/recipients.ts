import { RecordedEvent, fold } from '@access-ledger/core';
import { ExistingRequest, accessRequestDecider } from '@access-ledger/access-requests';
import { organisationDecider, organisationStream } from '@access-ledger/directory';
import { EventStore } from '@access-ledger/event-store';
import { waitForCheckpoints } from '@access-ledger/projection-runner';
import { DIRECTORY_USERS, ManagedUser, manageUsersProjection } from '@access-ledger/projections';
import { Keyset, ReadStore } from '@access-ledger/read-store';

/** Who a notification goes to and what it names, looked up where each is known best. */
export class Recipients {
  constructor(
    private readonly events: EventStore,
    private readonly readStore: ReadStore,
    private readonly readWaitTimeoutMs: number,
  ) {}

  /**
   * The active SPOCs of an organisation, from the manage-users read model once it has processed
   * the log up to `position` (the event being notified): every SPOC designated before it is
   * there. It may have gone further: a SPOC designated since is mailed too, and one deactivated
   * since is not. A read model behind the event throws, so the attempt is retried.
   */
  async spocsOf(organisationId: string, position: number): Promise<ManagedUser[]> {
    if (!(await waitForCheckpoints(this.readStore, [DIRECTORY_USERS], position, this.readWaitTimeoutMs))) {
      throw new Error(`the SPOCs are read from ${DIRECTORY_USERS}, which has not yet reached position ${position}`);
    }
    const spocs: ManagedUser[] = [];
    let after: Keyset | undefined;
    do {
      const page = await this.readStore.find<ManagedUser>(manageUsersProjection.collection.name, {
        where: { organisationId, status: 'active', spoc: true },
        sort: [{ field: 'email', direction: 'asc' }],
        pageSize: 100,
        after,
        skipTotal: true,
      });
      spocs.push(...page.items);
      after = page.next ?? undefined;
    } while (after);
    return spocs;
  }

  /** The organisation's name, from its stream (it is registered before anything happens in it). */
  async organisationName(organisationId: string): Promise<string> {
    const state = fold(organisationDecider, await this.events.readStream(organisationStream(organisationId)));
    if (state.status === 'none') throw new Error(`organisation ${organisationId} has no stream`);
    return state.name;
  }

  /** The request as it stood when `event` (one of its stream's) was recorded: who asked, for what. */
  async requestAt(event: RecordedEvent): Promise<ExistingRequest> {
    const recorded = (await this.events.readStream(event.streamId)).filter((e) => e.revision <= event.revision);
    const state = fold(accessRequestDecider, recorded);
    if (state.status === 'none') throw new Error(`${event.streamId} holds no request`);
    return state;
  }
}
