import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { newId } from '@access-ledger/core';
import { AuditReader, auditLogDecider, auditLogStream } from '@access-ledger/audit';
import { EventStore, handleCommand } from '@access-ledger/event-store';
import { commandContext, EVENT_STORE, RequestContext } from '@access-ledger/platform';
import { DirectoryAccess } from '../directory/directory-access';
import { auditReaderOf } from './audit-reader';

/** What an audit query answers: the body, and the organisations whose data it shows (for the record of the read). */
export interface AuditAnswer<T> {
  readonly body: T;
  readonly organisationIds: readonly string[];
}

/**
 * Every audit read is recorded before it is answered: who read (the reader's `sub` and e-mail),
 * the path and query, and the organisations whose data the answer shows, one AuditRecordRead per
 * organisation in a stream of the read's own (`auditlog-<readId>`). A read that is refused or
 * fails records nothing; a read whose record cannot be written is not answered.
 */
@Injectable()
export class AuditReads {
  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    private readonly directory: DirectoryAccess,
  ) {}

  async readerOf(request: Request, context: RequestContext): Promise<AuditReader> {
    return auditReaderOf(context, await this.directory.callerOf(request));
  }

  /** Records the read, then hands back the body to answer with. */
  async answered<T>(request: Request, context: RequestContext, reader: AuditReader, answer: AuditAnswer<T>): Promise<T> {
    await this.record(request, context, reader, answer.organisationIds);
    return answer.body;
  }

  /** Records a read of these organisations' data (none: of no organisation's) by this reader, for the request's path and query. */
  async record(request: Request, context: RequestContext, reader: AuditReader, organisationIds: readonly string[]): Promise<void> {
    // A read id of its own, never the request's command id: a GET repeated with one Idempotency-Key is two reads.
    const readId = newId();
    await handleCommand(
      this.events,
      auditLogDecider,
      auditLogStream(readId),
      {
        type: 'RecordAuditRead',
        readId,
        reader: { id: reader.id, email: reader.email },
        path: request.path,
        query: queryOf(request),
        organisationIds,
        now: context.now,
      },
      commandContext({ ...context, commandId: readId }),
    );
  }
}

/** The query string as sent (the API parses it flat: one string per parameter; repeated ones are refused by validation first). */
const queryOf = (request: Request): Record<string, string> =>
  Object.fromEntries(Object.entries(request.query as Record<string, unknown>).map(([key, value]) => [key, Array.isArray(value) ? value.join(',') : String(value)]));
