import { defineCatalogue } from '@access-ledger/core';
import { AuditEvent } from './events';

const queryText = (query: Readonly<Record<string, string>>) => {
  const text = new URLSearchParams(Object.entries(query)).toString();
  return text === '' ? '' : `?${text}`;
};

/**
 * The audit catalogue: the current shape of each event's data (docs/events.md) and one sentence
 * per event for the timeline. Every event is at version 1.
 */
export const auditEvents = defineCatalogue<AuditEvent>('audit events', {
  AuditRecordRead: {
    shape: { readId: 'string', reader: 'object', path: 'string', query: 'object', organisationId: 'string?', readAt: 'string' },
    describe: ({ data }) =>
      `${data.reader.email} read ${data.path}${queryText(data.query)}${data.organisationId === null ? '' : ` (data of organisation ${data.organisationId})`}`,
  },
});
