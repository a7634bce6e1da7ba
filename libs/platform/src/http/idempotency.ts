import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { Reflector } from '@nestjs/core';
import type { Request, Response } from 'express';
import { createHash } from 'node:crypto';
import { Observable, from, of, throwError } from 'rxjs';
import { catchError, mergeMap } from 'rxjs/operators';
import { ConflictError, DomainError, NewEvent, RecordedEvent, defineCatalogue, deriveId, newId } from '@access-ledger/core';
import { EventStore, WrongExpectedRevisionError } from '@access-ledger/event-store';
import { EVENT_STORE } from '../stores/tokens';
import { toProblem } from './problem';

/**
 * Idempotency-Key as the IETF httpapi draft describes it: a key is bound to the caller, the
 * method, the path and a fingerprint of the body. The first request with a key claims it in
 * its own stream (`idempotency-<id>`, appended with `no_stream`, so of many racing requests
 * exactly one claims it) and records its response there; a later request with the same key
 *   - and the same body gets the recorded response again (`Idempotent-Replayed: true`);
 *   - and another body gets 422 `idempotency-key-reused`;
 *   - while the first is still running gets 409 `idempotency-key-in-use` (retry later).
 * A request that failed releases its key: the same request may be sent again and is decided
 * again (nothing was written). A claim never completed (the process stopped) is taken over
 * after `ABANDONED_CLAIM_MS`; the command pipeline below is idempotent by command id, so
 * finishing it twice writes nothing twice.
 */
export const ABANDONED_CLAIM_MS = 60_000;
export const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,255}$/;

const WRITE_METHODS = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

declare module 'express-serve-static-core' {
  interface Request {
    /** sha256 of the canonical JSON body, when the request carries an Idempotency-Key. */
    idempotencyFingerprint?: string;
  }
}

interface RecordedResponse {
  readonly status: number;
  readonly body: unknown;
  readonly etag: string | null;
}

type KeyState =
  | { readonly status: 'none' }
  | { readonly status: 'claimed'; readonly fingerprint: string; readonly claimedAt: string }
  | { readonly status: 'completed'; readonly fingerprint: string; readonly response: RecordedResponse }
  | { readonly status: 'released'; readonly fingerprint: string };

type KeyEvent =
  | { type: 'IdempotencyKeyClaimed'; data: { fingerprint: string; method: string; path: string; claimedAt: string } }
  | { type: 'IdempotentResponseRecorded'; data: { fingerprint: string; response: RecordedResponse } }
  | { type: 'IdempotencyKeyReleased'; data: { fingerprint: string; status: number } };

/** How a key's stream is read back (docs/events.md); every event is at schema version 1. */
export const idempotencyKeyEvents = defineCatalogue<KeyEvent>('idempotency key events', {
  IdempotencyKeyClaimed: {
    shape: { fingerprint: 'string', method: 'string', path: 'string', claimedAt: 'string' },
    describe: ({ data }, { metadata }) => `Idempotency key claimed by ${metadata.actor.email} for ${data.method} ${data.path}`,
  },
  IdempotentResponseRecorded: {
    shape: { fingerprint: 'string', response: 'object' },
    describe: ({ data }, { metadata }) => `Response ${data.response.status} recorded for the idempotency key of ${metadata.actor.email}`,
  },
  IdempotencyKeyReleased: {
    shape: { fingerprint: 'string', status: 'number' },
    describe: ({ data }, { metadata }) => `Idempotency key of ${metadata.actor.email} released after a ${data.status} answer`,
  },
});

const initialKeyState = (): KeyState => ({ status: 'none' });
/** The key's state from its stream, each event read through the catalogue. */
const keyStateOf = (recorded: readonly RecordedEvent[]): KeyState => recorded.map(idempotencyKeyEvents.parse).reduce(evolve, initialKeyState());

const evolve = (state: KeyState, event: KeyEvent): KeyState => {
  switch (event.type) {
    case 'IdempotencyKeyClaimed':
      return { status: 'claimed', fingerprint: event.data.fingerprint, claimedAt: event.data.claimedAt };
    case 'IdempotentResponseRecorded':
      return { status: 'completed', fingerprint: event.data.fingerprint, response: event.data.response };
    case 'IdempotencyKeyReleased':
      return { status: 'released', fingerprint: event.data.fingerprint };
    default:
      return state;
  }
};

/** What a request with this fingerprint may do with the key, given its stream. */
export const verdict = (state: KeyState, fingerprint: string, now: string): 'claim' | { replay: RecordedResponse } => {
  if (state.status === 'none') return 'claim';
  if (state.fingerprint !== fingerprint) {
    throw new DomainError('unprocessable', 'idempotency-key-reused', 'This Idempotency-Key was used for a request with a different body; use a new key for a new request.');
  }
  if (state.status === 'completed') return { replay: state.response };
  if (state.status === 'claimed' && Date.parse(now) - Date.parse(state.claimedAt) < ABANDONED_CLAIM_MS) {
    throw new ConflictError('idempotency-key-in-use', 'A request with this Idempotency-Key is still being processed; retry shortly to get its outcome.', {
      retryAfterSeconds: 1,
    });
  }
  return 'claim';
};

/** JSON with sorted keys and no whitespace: equal bodies give equal fingerprints however they were written. */
export const canonicalJson = (value: unknown): string => {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.keys(value as object)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
  return `{${entries.join(',')}}`;
};

/** What a key is bound to besides itself: the caller, the method and the path (the query string is not part of it). */
export const keyScopeOf = (request: Request): [sub: string, method: string, path: string] => [request.principal!.sub, request.method, request.originalUrl.split('?')[0]];

export const fingerprintOf = (body: unknown): string => createHash('sha256').update(canonicalJson(body ?? null)).digest('hex');

@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    @Inject(EVENT_STORE) private readonly events: EventStore,
    private readonly reflector: Reflector,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<Request>();
    const key = request.header('idempotency-key');
    // Unauthenticated routes and malformed keys are left to the route (which answers 400 for a bad key).
    if (key === undefined || !WRITE_METHODS.has(request.method) || !request.principal || !IDEMPOTENCY_KEY.test(key)) return next.handle();
    const response = context.switchToHttp().getResponse<Response>();
    const fingerprint = fingerprintOf(request.body);
    request.idempotencyFingerprint = fingerprint;
    const [sub, method, path] = keyScopeOf(request);
    const stream = `idempotency-${deriveId('idempotency-key', sub, method, path, key)}`;
    const status = this.reflector.get<number | undefined>(HTTP_CODE_METADATA, context.getHandler()) ?? (request.method === 'POST' ? 201 : 200);
    const append = (revision: number, event: KeyEvent) => this.events.appendToStream(stream, [this.toNewEvent(request, stream, revision, event)], { expectedRevision: revision < 0 ? 'no_stream' : revision });

    return from(this.claim(stream, fingerprint, request, path, append)).pipe(
      mergeMap((claim) => {
        if ('replay' in claim) {
          response.status(claim.replay.status).setHeader('Idempotent-Replayed', 'true');
          if (claim.replay.etag) response.setHeader('ETag', claim.replay.etag);
          return of(claim.replay.body);
        }
        return next.handle().pipe(
          mergeMap(async (body) => {
            const etag = response.getHeader('etag');
            await append(claim.revision, { type: 'IdempotentResponseRecorded', data: { fingerprint, response: { status, body: body ?? null, etag: typeof etag === 'string' ? etag : null } } });
            return body;
          }),
          catchError((error: unknown) =>
            from(append(claim.revision, { type: 'IdempotencyKeyReleased', data: { fingerprint, status: statusOf(error) } })).pipe(mergeMap(() => throwError(() => error))),
          ),
        );
      }),
    );
  }

  private async claim(
    stream: string,
    fingerprint: string,
    request: Request,
    path: string,
    append: (revision: number, event: KeyEvent) => Promise<unknown>,
  ): Promise<{ revision: number } | { replay: RecordedResponse }> {
    const now = new Date().toISOString();
    const recorded = await this.events.readStream(stream);
    const state = keyStateOf(recorded);
    const decision = verdict(state, fingerprint, now);
    if (decision !== 'claim') return decision;
    const revision = recorded.length - 1;
    try {
      await append(revision, { type: 'IdempotencyKeyClaimed', data: { fingerprint, method: request.method, path, claimedAt: now } });
    } catch (error) {
      if (!(error instanceof WrongExpectedRevisionError)) throw error;
      // Another request with this key got there first: answer as it stands now.
      return this.claimLost(stream, fingerprint, now);
    }
    return { revision: revision + 1 };
  }

  private async claimLost(stream: string, fingerprint: string, now: string): Promise<{ replay: RecordedResponse }> {
    const state = keyStateOf(await this.events.readStream(stream));
    const decision = verdict(state, fingerprint, now);
    if (decision === 'claim') {
      // Released or abandoned a moment ago: the caller may simply send it again.
      throw new ConflictError('idempotency-key-in-use', 'A request with this Idempotency-Key was being processed at the same time; retry to get its outcome.', { retryAfterSeconds: 1 });
    }
    return decision;
  }

  private toNewEvent(request: Request, stream: string, revision: number, event: KeyEvent): NewEvent {
    const principal = request.principal!;
    return {
      // Each append states its expected revision; a retried append is the claim lost above, not a duplicate to merge.
      eventId: newId(),
      type: event.type,
      data: event.data,
      metadata: {
        occurredAt: new Date().toISOString(),
        actor: { id: principal.sub, email: principal.email, organisationId: null, roles: [...principal.roles] },
        correlationId: request.correlationId ?? newId(),
        causationId: stream,
        commandId: stream,
        schemaVersion: idempotencyKeyEvents.schemaVersion(event.type),
      },
    };
  }
}

const statusOf = (error: unknown): number => toProblem(error).problem.status;
