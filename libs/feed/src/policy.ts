import { ForbiddenError } from '@access-ledger/core';

/** The caller as the feed needs them: their platform roles, as the token says. */
export interface FeedReader {
  readonly roles: readonly string[];
}

/**
 * Who reads the event feed: integrations (the platform role `integration`), and nobody else,
 * not platform administrators nor auditors (who read the log through the audit endpoints,
 * where each read is recorded). The feed spans every organisation.
 */
export const feedReadPolicy = {
  integrationOnly(reader: FeedReader): void {
    if (!reader.roles.includes('integration')) {
      throw new ForbiddenError('not-an-integration', 'Only integrations (tokens with the integration role) read the event feed.');
    }
  },
};
