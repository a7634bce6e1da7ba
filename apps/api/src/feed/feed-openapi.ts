import type { ApiResponseSchemaHost } from '@nestjs/swagger';
import { FEED_TYPES } from '@access-ledger/feed';

type SchemaObject = ApiResponseSchemaHost['schema'];

/** One event of the feed (libs/feed FeedEvent), as the OpenAPI document describes it. */
export const FEED_EVENT_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['position', 'eventId', 'type', 'streamId', 'revision', 'occurredAt', 'correlationId', 'causationId', 'data'],
  properties: {
    position: { type: 'integer', minimum: 1, description: 'Global position in the log: the cursor (after, the stream’s id and Last-Event-ID).' },
    eventId: { type: 'string', format: 'uuid', description: 'Stable: de-duplicate effects by it.' },
    type: { type: 'string', enum: [...FEED_TYPES] },
    streamId: { type: 'string' },
    revision: { type: 'integer', minimum: 0 },
    occurredAt: { type: 'string', format: 'date-time' },
    correlationId: { type: 'string' },
    causationId: { type: 'string' },
    data: { type: 'object', additionalProperties: true, description: 'The type’s feed view: only what downstream needs (docs/api.md, "Event feed").' },
  },
};

export const FEED_PAGE_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['events', 'lastPosition'],
  properties: {
    events: { type: 'array', items: FEED_EVENT_SCHEMA },
    lastPosition: { type: 'integer', minimum: 0, description: 'The last event’s position, or after when there is none: the next page’s after.' },
  },
};
