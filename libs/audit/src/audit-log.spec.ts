import { RecordedEvent } from '@access-ledger/core';
import { DeciderSpecification } from '@access-ledger/core/testing';
import { AuditRecordRead, auditEvents, auditLogDecider, auditLogStream } from './index';

const given = DeciderSpecification.for(auditLogDecider);
const reader = { id: 'sub-audrey', email: 'audrey@audit.example' };
const now = '2026-06-01T08:00:00.000Z';
const read = (organisationIds: string[]) => ({
  type: 'RecordAuditRead' as const,
  readId: 'read-1',
  reader,
  path: '/audit/requests/r-1/state',
  query: { asOf: '2026-05-01T00:00:00.000Z' },
  organisationIds,
  now,
});
const recordedRead = (organisationId: string | null): AuditRecordRead => ({
  type: 'AuditRecordRead',
  data: { readId: 'read-1', reader, path: '/audit/requests/r-1/state', query: { asOf: '2026-05-01T00:00:00.000Z' }, organisationId, readAt: now },
});

describe('the record of an audit read', () => {
  it('is one event for a read of one organisation’s data', () => given().when(read(['org-1'])).then([recordedRead('org-1')]));

  it('is one event per organisation whose data the read showed, each organisation once, in a stable order', () =>
    given().when(read(['org-2', 'org-1', 'org-2'])).then([recordedRead('org-1'), recordedRead('org-2')]));

  it('is one event with no organisation for a read of no organisation’s data', () => given().when(read([])).then([recordedRead(null)]));

  it('is recorded once', () => given([recordedRead('org-1')]).when(read(['org-1'])).thenNothingHappens());

  it('lives in a stream of its own, named by the read’s id (no personal data, no dash in the category)', () => {
    expect(auditLogStream('read-1')).toBe('auditlog-read-1');
  });

  it('is read back through the audit catalogue and described in one sentence', () => {
    const stored: RecordedEvent = {
      eventId: 'e1',
      type: 'AuditRecordRead',
      streamId: auditLogStream('read-1'),
      revision: 0,
      position: 7,
      data: recordedRead('org-1').data,
      metadata: { occurredAt: now, actor: { ...reader, roles: ['auditor'] }, correlationId: 'c', causationId: 'c', commandId: 'c', schemaVersion: 1 },
    };
    expect(auditEvents.parse(stored)).toBe(stored);
    expect(auditEvents.describe(stored)).toBe('audrey@audit.example read /audit/requests/r-1/state?asOf=2026-05-01T00%3A00%3A00.000Z (data of organisation org-1)');
    expect(auditEvents.describe({ ...stored, data: { ...stored.data, organisationId: null, query: {} } })).toBe('audrey@audit.example read /audit/requests/r-1/state');
    expect(() => auditEvents.parse({ ...stored, data: { ...stored.data, organisationId: 7 } })).toThrow(/data\.organisationId should be string or null/);
  });
});
