import { RecordedEvent } from '@access-ledger/core';
import { idempotencyKeyEvents } from './idempotency';

const stored = (type: string, data: Record<string, unknown>): RecordedEvent => ({
  eventId: 'e1',
  type,
  streamId: 'idempotency-k1',
  revision: 0,
  position: 5,
  data,
  metadata: { occurredAt: '2026-01-01T00:00:00.000Z', actor: { id: 'sub-1', email: 'lead@org.example', roles: [] }, correlationId: 'c', causationId: 'c', commandId: 'c', schemaVersion: 1 },
});

describe('the idempotency key catalogue', () => {
  const table: [string, Record<string, unknown>, string][] = [
    ['IdempotencyKeyClaimed', { fingerprint: 'f', method: 'POST', path: '/requests', claimedAt: 't' }, 'Idempotency key claimed by lead@org.example for POST /requests'],
    ['IdempotentResponseRecorded', { fingerprint: 'f', response: { status: 201, body: {}, etag: null } }, 'Response 201 recorded for the idempotency key of lead@org.example'],
    ['IdempotencyKeyReleased', { fingerprint: 'f', status: 409 }, 'Idempotency key of lead@org.example released after a 409 answer'],
  ];

  it('has a row for every event type', () => expect(table.map(([type]) => type)).toEqual(idempotencyKeyEvents.types));

  it.each(table)('describes %s', (type, data, sentence) => expect(idempotencyKeyEvents.describe(stored(type, data))).toBe(sentence));

  it('refuses a recorded response that is not an object', () => {
    expect(() => idempotencyKeyEvents.parse(stored('IdempotentResponseRecorded', { fingerprint: 'f', response: 'ok' }))).toThrow(
      /^Stored event idempotency-k1@0 \(type IdempotentResponseRecorded, position 5\) cannot be read as idempotency key events: data\.response should be object, is a string\.$/,
    );
  });
});
