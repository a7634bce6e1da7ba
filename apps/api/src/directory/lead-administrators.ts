import { Inject, Injectable } from '@nestjs/common';
import { CommandContext } from '@access-ledger/core';
import {
  LeadStanding,
  OrganisationState,
  UserEvent,
  UserState,
  admittedUsers,
  isActiveLead,
  leadStandingChange,
  organisationDecider,
  organisationStream,
} from '@access-ledger/directory';
import { EventStore, handleCommand } from '@access-ledger/event-store';
import { EVENT_STORE } from '@access-ledger/platform';
import { DirectoryAccess } from './directory-access';

type UserDecision = { readonly events: readonly UserEvent[]; readonly state: UserState; readonly revision: number };

/**
 * Has every change of a lead administrator's standing admitted by the organisation's stream
 * before the user's stream is written (see libs/directory/src/lead-administrators.ts): the
 * `beforeAppend` step of the user commands.
 */
@Injectable()
export class LeadAdministrators {
  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    private readonly directory: DirectoryAccess,
  ) {}

  /**
   * The admission step for a user command on `userId`. `asFirstLead`: the caller is a platform
   * administrator, who may only add an organisation's first lead administrator.
   */
  admission(organisationId: string, userId: string, context: CommandContext, asFirstLead: boolean) {
    return async ({ events, state, revision }: UserDecision): Promise<void> => {
      const change = leadStandingChange(state, events);
      if (!change) return;
      await handleCommand(
        this.events,
        organisationDecider,
        organisationStream(organisationId),
        async (organisation) => ({
          type: 'AdmitLeadAdministratorChange' as const,
          userId,
          ...change,
          basedOnUserRevision: revision,
          asFirstLead,
          standings: await this.standings(organisation),
          now: context.now,
        }),
        context,
        // Many racing admissions in one organisation: each loser decides again on the new state.
        { retries: 10 },
      );
    };
  }

  /** What each user named by the organisation's admissions is, by their own stream. */
  private async standings(organisation: OrganisationState): Promise<Record<string, LeadStanding>> {
    if (organisation.status !== 'registered') return {};
    const entries = await Promise.all(
      admittedUsers(organisation.leadAdmissions).map(async (userId) => {
        const { state, standingRevision } = await this.directory.user(userId);
        return [userId, { revision: standingRevision, activeLead: state !== null && isActiveLead(state) }] as const;
      }),
    );
    return Object.fromEntries(entries);
  }
}
