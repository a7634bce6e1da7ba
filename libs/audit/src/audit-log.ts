import { Decider } from '@access-ledger/core';
import { auditEvents } from './catalogue';
import { AuditEvent, AuditReaderRef } from './events';

/** A read's stream: nothing, or the read recorded. */
export type AuditLogState = { status: 'none' } | { status: 'recorded'; readId: string };

/**
 * Record that an answered audit read showed the data of these organisations (none: data of no
 * organisation). `now` is the moment it was answered.
 */
export type RecordAuditRead = {
  type: 'RecordAuditRead';
  readId: string;
  reader: AuditReaderRef;
  path: string;
  query: Readonly<Record<string, string>>;
  organisationIds: readonly string[];
  now: string;
};
export type AuditLogCommand = RecordAuditRead;

/** One event per organisation, in a stable order (each organisation once); one with null when there is none. */
const record = (command: RecordAuditRead, state: AuditLogState): AuditEvent[] => {
  if (state.status === 'recorded') return [];
  const organisations = command.organisationIds.length === 0 ? [null] : [...new Set(command.organisationIds)].sort();
  const { readId, reader, path, query, now } = command;
  return organisations.map((organisationId) => ({
    type: 'AuditRecordRead',
    data: { readId, reader: { id: reader.id, email: reader.email }, path, query: { ...query }, organisationId, readAt: now },
  }));
};

export const auditLogDecider: Decider<AuditLogCommand, AuditEvent, AuditLogState> = {
  initialState: () => ({ status: 'none' }),
  evolve: (state, event) => {
    switch (event.type) {
      case 'AuditRecordRead':
        return { status: 'recorded', readId: event.data.readId };
      default:
        return state;
    }
  },
  catalogue: auditEvents,
  decide: (command, state) => {
    switch (command.type) {
      case 'RecordAuditRead':
        return record(command, state);
      default: {
        const unknown: never = command.type;
        throw new Error(`Unknown command ${JSON.stringify(unknown)}`);
      }
    }
  },
};
