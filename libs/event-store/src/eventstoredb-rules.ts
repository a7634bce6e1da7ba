import {
  ErrorType,
  MaxAppendSizeExceededError,
  Position,
  isCommandError,
} from '@eventstore/db-client';
import {
  AppendTooLargeError,
  EventStoreAccessDeniedError,
  EventStoreUnavailableError,
  MAX_APPEND_BYTES,
} from './event-store';

/**
 * The EventStoreDB adapter's decisions that need no server: how the client's errors become the port's, when an append is
 * tried again, what a connection string must look like, where a subscription resumes, how events are counted for lag.
 * Each is a pure function (or a small class) over the client's own error classes and types, unit-tested without a server.
 */

/** Client errors after which an operation may succeed if tried again: the server was unreachable, busy, or did not confirm in time. */
const RETRYABLE: ReadonlySet<ErrorType> = new Set([
  // The server's Timeout (PrepareTimeout/CommitTimeout, e.g. after it dropped a duplicate of a write not yet indexed:
  // IdempotentNotReady), or the call's deadline.
  ErrorType.DEADLINE_EXCEEDED,
  // gRPC ABORTED.
  ErrorType.TIMEOUT,
  ErrorType.UNAVAILABLE,
  // The server cancelled the call (shutting down, leader change).
  ErrorType.CANCELLED,
  // The client reconnects to the leader it names.
  ErrorType.NOT_LEADER,
  // A transport failure the client could not name (an HTTP/2 reset, a failed batch-append stream).
  ErrorType.UNKNOWN,
]);

/** Stream errors of Node or gRPC that the client passes through unconverted, all of a connection that went away. */
const TRANSPORT_CODES: ReadonlySet<string> = new Set(['ERR_STREAM_PREMATURE_CLOSE', 'ERR_STREAM_DESTROYED', 'ECONNRESET', 'EPIPE']);

/** Raised by the adapter itself when the client leaves an append without an answer (see eventstoredb-client-guard.ts). */
export class AppendNotAnsweredError extends Error {
  constructor(readonly afterMs: number) {
    super(`EventStoreDB did not answer the append within ${afterMs} ms`);
    this.name = 'AppendNotAnsweredError';
  }
}

export type ClientErrorKind = 'retryable' | 'access-denied' | 'too-large' | 'other';

/** What a client error means for the adapter (wrong expected version and stream not found are handled where they occur). */
export const classifyClientError = (error: unknown): ClientErrorKind => {
  if (!(error instanceof Error)) return 'other';
  if (error instanceof AppendNotAnsweredError) return 'retryable';
  if (isCommandError(error)) {
    if (error.type === ErrorType.ACCESS_DENIED) return 'access-denied';
    if (error.type === ErrorType.MAXIMUM_APPEND_SIZE_EXCEEDED) return 'too-large';
    return RETRYABLE.has(error.type) ? 'retryable' : 'other';
  }
  return TRANSPORT_CODES.has(String((error as NodeJS.ErrnoException).code)) ? 'retryable' : 'other';
};

export interface AppendRetryPolicy {
  /** Tries in all, the first included. */
  readonly attempts: number;
  /** Pause after the first failed try; it doubles after each further one, up to maxDelayMs. */
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

/**
 * Three tries, 100 ms then 400 ms apart. A duplicate append that reaches the server before the original is indexed is
 * dropped there and times out after the server's prepare timeout (2 s by default); the original is indexed long before
 * the next try, which the server then answers as the first time. Bounded so that a request fails in seconds, not minutes,
 * when the server is really gone.
 */
export const DEFAULT_APPEND_RETRY: AppendRetryPolicy = { attempts: 3, initialDelayMs: 100, maxDelayMs: 1000 };

/** The pause before trying a failed append again (`attempt` counts from 1), or null when it must not be tried again. */
export const appendRetryDelay = (error: unknown, attempt: number, policy: AppendRetryPolicy = DEFAULT_APPEND_RETRY): number | null => {
  if (classifyClientError(error) !== 'retryable' || attempt >= policy.attempts) return null;
  return Math.min(policy.initialDelayMs * 4 ** (attempt - 1), policy.maxDelayMs);
};

/**
 * The port's error for a client error, given what the adapter was doing; errors that mean nothing to the port (a bug, an
 * unexpected server answer) come back as they are.
 */
export const toPortError = (error: unknown, context: { readonly streamId?: string; readonly size?: number; readonly connection: ConnectionInfo }): unknown => {
  switch (classifyClientError(error)) {
    case 'access-denied':
      return new EventStoreAccessDeniedError(accessDeniedMessage(context.connection));
    case 'too-large':
      return new AppendTooLargeError(context.streamId ?? '(unknown)', context.size, (error as MaxAppendSizeExceededError).maxAppendSize || MAX_APPEND_BYTES);
    case 'retryable':
      return new EventStoreUnavailableError(`EventStoreDB is unavailable: ${(error as Error).message || (error as Error).name}`, 1, error);
    default:
      return error;
  }
};

/** One line naming what to fix, for a secured server that refused this process. */
export const accessDeniedMessage = (connection: ConnectionInfo): string =>
  connection.username === undefined
    ? 'EventStoreDB refused access: EVENTSTORE_CONNECTION_STRING has no credentials. A secured server needs ' +
      'esdb://<user>:<password>@<host>:2113?tls=true (percent-encode special characters), for a user in $admins or $ops or one granted read on $all'
    : `EventStoreDB refused access for user "${connection.username}": check the password in EVENTSTORE_CONNECTION_STRING, ` +
      'and that the user is in $admins or $ops or is granted read on $all and write on the service streams';

export interface ConnectionInfo {
  /** The user named in the string, when it has credentials. */
  readonly username?: string;
  readonly tls: boolean;
}

/**
 * Checks an EventStoreDB connection string as client 6.2.1 reads it (dist/Client/parseConnectionString.js) and says what
 * it names, or throws an Error whose message says what is wrong (without the password):
 * - `esdb://` or `esdb+discover://` only (`kurrentdb://` is read by @kurrent/kurrentdb-client, not by this client);
 * - credentials as `user:password@`, percent-encoded (a raw `@` or `:` in them would be read as something else);
 * - no credentials with `tls=false`: the client then drops them without a word (it sends credentials over TLS only), and a
 *   secured server only speaks TLS anyway.
 */
export const checkConnectionString = (value: string): ConnectionInfo => {
  const match = /^(esdb|esdb\+discover):\/\/(.*)$/i.exec(value.trim());
  if (!match) throw new Error('must start with esdb:// or esdb+discover:// (kurrentdb:// needs @kurrent/kurrentdb-client, see docs/decisions.md)');
  const rest = match[2];
  const queryAt = rest.indexOf('?');
  const authority = queryAt < 0 ? rest : rest.slice(0, queryAt);
  const query = queryAt < 0 ? '' : rest.slice(queryAt + 1);
  const ats = authority.split('@').length - 1;
  if (ats > 1) throw new Error('has more than one @ before the host: percent-encode @ in the user name or password as %40');
  let username: string | undefined;
  if (ats === 1) {
    const userinfo = authority.slice(0, authority.indexOf('@'));
    const colon = userinfo.indexOf(':');
    if (colon <= 0 || colon === userinfo.length - 1 || userinfo.indexOf(':', colon + 1) >= 0) {
      throw new Error('has credentials that are not user:password (percent-encode : in them as %3A)');
    }
    try {
      username = decodeURIComponent(userinfo.slice(0, colon));
      decodeURIComponent(userinfo.slice(colon + 1));
    } catch {
      throw new Error('has credentials with a malformed percent-encoding');
    }
  }
  if (authority.slice(ats === 1 ? authority.indexOf('@') + 1 : 0).replace(/\/+$/, '') === '') throw new Error('names no host');
  const params = new Map(
    query
      .split('&')
      .filter(Boolean)
      .map((pair) => {
        const [key, ...value] = pair.split('=');
        return [key.trim().toLowerCase().replace(/[_-]/g, ''), value.join('=').trim().toLowerCase()] as const;
      }),
  );
  const tls = params.get('tls') !== 'false';
  if (username !== undefined && !tls) {
    throw new Error('has credentials with tls=false: the client sends credentials only over TLS and would drop them (use tls=true for a secured server, no credentials for an insecure one)');
  }
  return { username, tls };
};

/** Where a subscription resumes after a drop: the lowest position still to deliver, and the exact $all position to subscribe after. */
export interface ResumePoint {
  readonly next: number;
  readonly after?: Position;
}

/**
 * The resume point after the server's checkpoint of a filtered subscription. The server sends one after it has
 * considered a window of events (32 per checkpoint interval), matching or not, at the position of the last one it
 * considered, after every matching event up to there; so a reconnect that subscribes after it skips what the server
 * already filtered out instead of scanning it again. It only ever moves the point forwards.
 */
export const afterCheckpoint = (point: ResumePoint, checkpoint: Position): ResumePoint => {
  if (point.after && checkpoint.commit <= point.after.commit) return point;
  // Nothing at or below the checkpoint is sent again once subscribed after it; `next` only guards against repeats.
  const at = Number(checkpoint.commit);
  return { next: Math.max(point.next, at), after: checkpoint };
};

/**
 * The positions of the events seen since a moment (the head tracker's start), to count how many follow a checkpoint
 * without reading the log. Bounded: past its capacity it forgets the oldest half, and counts only from there.
 */
export class EventCounter {
  private positions: number[] = [];
  /** Counting is exact for positions at or above this one. */
  private floor: number;

  constructor(
    /** The head when counting began: events after it are all added. */
    start: number,
    private readonly capacity = 100_000,
  ) {
    this.floor = start;
  }

  /** An event after the last one added (positions strictly increase along $all). */
  add(position: number): void {
    const last = this.positions[this.positions.length - 1];
    if (last !== undefined && position <= last) return;
    this.positions.push(position);
    if (this.positions.length > this.capacity) {
      const dropped = this.positions.length - Math.floor(this.capacity / 2);
      this.floor = this.positions[dropped - 1];
      this.positions = this.positions.slice(dropped);
    }
  }

  /** The newest position added, or the start. */
  get head(): number {
    return this.positions[this.positions.length - 1] ?? this.floor;
  }

  /** Events added after `after` up to `through` (inclusive), or null when `after` lies before what is counted. */
  eventsBetween(after: number, through: number = this.head): number | null {
    if (after >= through) return 0;
    if (after < this.floor) return null;
    return this.countAtOrBelow(through) - this.countAtOrBelow(after);
  }

  private countAtOrBelow(position: number): number {
    let low = 0;
    let high = this.positions.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if (this.positions[mid] <= position) low = mid + 1;
      else high = mid;
    }
    return low;
  }
}
