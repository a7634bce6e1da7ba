import { Inject, Injectable } from '@nestjs/common';
import { AccessRequestState, RequestCaller } from '@access-ledger/access-requests';
import { EventStore } from '@access-ledger/event-store';
import { waitForCheckpoints } from '@access-ledger/projection-runner';
import { ReadStore } from '@access-ledger/read-store';
import { DIRECTORY_USERS, ManagedUser, manageUsersProjection } from '@access-ledger/projections';
import { APP_CONFIG, AppConfig, EVENT_STORE, READ_STORE } from '@access-ledger/platform';

/** The organisation's SPOCs, as far as deciding a request needs them. */
@Injectable()
export class Spocs {
  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    @Inject(READ_STORE) private readonly reads: ReadStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Whether the requester is the only active SPOC of the request's organisation, so that a
   * platform administrator may decide in their stead. Asked only when a platform administrator
   * who is no SPOC there decides; answered from the manage-users read model once it has caught
   * up with the log. (A permission to stand in, not an invariant: no rule breaks if a second
   * SPOC was appointed in the same instant.)
   */
  async requesterIsOnlySpoc(caller: RequestCaller, request: AccessRequestState): Promise<boolean> {
    if (request.status === 'none' || !caller.platformAdmin || caller.spocOf === request.organisationId) return false;
    await waitForCheckpoints(this.reads, [DIRECTORY_USERS], await this.events.headPosition(), this.config.readWaitTimeoutMs);
    const spocs = await this.reads.find<ManagedUser>(manageUsersProjection.collection.name, {
      where: { organisationId: request.organisationId, status: 'active', spoc: true },
      pageSize: 2,
      skipTotal: true,
    });
    return spocs.items.length === 1 && spocs.items[0].email === request.requester.email.toLowerCase();
  }
}
