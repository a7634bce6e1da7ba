import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { NotFoundError, RecordedEvent } from '@access-ledger/core';
import { AuditReader, auditReadPolicy } from '@access-ledger/audit';
import { AuditStreams } from '../audit-streams';
import { AuditAnswer } from '../audit-reads';

export interface RawStreamView {
  readonly streamId: string;
  /** The stored events, as stored: envelope, data and full metadata, oldest first. */
  readonly events: readonly RecordedEvent[];
  /** The revision the next page starts at; null on the last page. */
  readonly nextRevision: number | null;
}

export class RawStreamQuery extends Query<AuditAnswer<RawStreamView>> {
  constructor(readonly reader: AuditReader, readonly streamId: string, readonly fromRevision: number, readonly limit: number) {
    super();
  }
}

/** The organisations whose data the events hold, as their own `organisationId` says (every context's events carry one). */
const organisationsIn = (events: readonly RecordedEvent[]): string[] => [
  ...new Set(events.map((e) => (e.data as { organisationId?: unknown } | null)?.organisationId).filter((id): id is string => typeof id === 'string')),
];

/** A stream as stored, a page at a time (auditors only); 404 for a stream with no events. */
@QueryHandler(RawStreamQuery)
export class RawStreamHandler implements IQueryHandler<RawStreamQuery> {
  constructor(private readonly streams: AuditStreams) {}

  async execute({ reader, streamId, fromRevision, limit }: RawStreamQuery): Promise<AuditAnswer<RawStreamView>> {
    auditReadPolicy.auditorOnly(reader);
    const page = await this.streams.read(streamId, { fromRevision, maxCount: limit + 1 });
    if (page.length === 0 && (fromRevision === 0 || (await this.streams.read(streamId, { maxCount: 1 })).length === 0)) {
      throw new NotFoundError('stream-not-found', 'No events are recorded in this stream.');
    }
    const events = page.slice(0, limit);
    return { body: { streamId, events, nextRevision: page.length > limit ? events[events.length - 1].revision + 1 : null }, organisationIds: organisationsIn(events) };
  }
}
