import {
  AccessDeniedError,
  CancelledError,
  DeadlineExceededError,
  EventStoreDBClient,
  MaxAppendSizeExceededError,
  NotLeaderError,
  StreamDeletedError,
  TimeoutError,
  UnavailableError,
  UnknownError,
  WrongExpectedVersionError,
  convertToCommandError,
} from '@eventstore/db-client';
import { AppendTooLargeError, EventStoreAccessDeniedError, EventStoreUnavailableError, MAX_APPEND_BYTES } from './event-store';
import {
  AppendNotAnsweredError,
  DEFAULT_APPEND_RETRY,
  EventCounter,
  afterCheckpoint,
  appendRetryDelay,
  checkConnectionString,
  classifyClientError,
  toPortError,
} from './eventstoredb-rules';

/**
 * The EventStoreDB adapter's decisions that need no server, on the client's own error classes (as the client builds them
 * from a server's answer). What the server does with them is the contract suite's, run against a real server.
 */

/** An error as gRPC hands it to the client: a status code and, from EventStoreDB, an `exception` trailer. */
const grpcError = (code: number, exception?: string) =>
  Object.assign(new Error(`${code} ${exception ?? ''}`), {
    code,
    details: 'from the server',
    metadata: { getMap: () => (exception ? { exception, 'maximum-append-size': '1048576' } : {}) },
  });

const anonymous = { tls: true };

describe('EventStoreDB rules: the client errors', () => {
  it.each([
    ['a duplicate dropped as IdempotentNotReady: the server times the write out', new DeadlineExceededError()],
    ['gRPC ABORTED', new TimeoutError()],
    ['the server unreachable', new UnavailableError()],
    ['a server-side cancel', new CancelledError()],
    ['a transport failure the client could not name', new UnknownError()],
    ['an append nobody answered', new AppendNotAnsweredError(12_000)],
    ['a stream that closed early', Object.assign(new Error('Premature close'), { code: 'ERR_STREAM_PREMATURE_CLOSE' })],
    ['DEADLINE_EXCEEDED as gRPC reports it', convertToCommandError(grpcError(4))],
    ['UNAVAILABLE as gRPC reports it', convertToCommandError(grpcError(14))],
  ])('%s is retryable', (_, error) => {
    expect(classifyClientError(error)).toBe('retryable');
    expect(appendRetryDelay(error, 1)).toBe(100);
  });

  it.each([
    ['no credentials for a secured server (PERMISSION_DENIED with access-denied)', convertToCommandError(grpcError(7, 'access-denied'))],
    ['a wrong password (UNAUTHENTICATED)', convertToCommandError(grpcError(16))],
    ['the client class itself', new AccessDeniedError()],
  ])('access denied: %s, is not retried and becomes one clear EventStoreAccessDeniedError', (_, error) => {
    expect(classifyClientError(error)).toBe('access-denied');
    expect(appendRetryDelay(error, 1)).toBeNull();
    const mapped = toPortError(error, { connection: anonymous });
    expect(mapped).toBeInstanceOf(EventStoreAccessDeniedError);
    expect((mapped as Error).message).toContain('has no credentials');
    expect((mapped as Error).message).not.toContain('\n');
    const named = toPortError(error, { connection: { username: 'ledger', tls: true } }) as Error;
    expect(named.message).toContain('user "ledger"');
  });

  it('maps the server refusing an append over its limit to AppendTooLargeError with its limit, never retried', () => {
    const fromServer = convertToCommandError(grpcError(3, 'maximum-append-size-exceeded'));
    expect(fromServer).toBeInstanceOf(MaxAppendSizeExceededError);
    for (const error of [fromServer, MaxAppendSizeExceededError.fromMaxAppendSize(2_000_000)]) {
      expect(classifyClientError(error)).toBe('too-large');
      expect(appendRetryDelay(error, 1)).toBeNull();
    }
    expect(toPortError(fromServer, { streamId: 'user-1', size: 1_100_000, connection: anonymous })).toEqual(new AppendTooLargeError('user-1', 1_100_000, MAX_APPEND_BYTES));
    expect((toPortError(MaxAppendSizeExceededError.fromMaxAppendSize(2_000_000), { streamId: 'user-1', connection: anonymous }) as AppendTooLargeError).maxSize).toBe(2_000_000);
  });

  it('leaves the errors the adapter handles where they occur, and bugs, as they are', () => {
    const wrongVersion = new WrongExpectedVersionError(undefined, { streamName: 's', expected: 0n, current: 1n });
    const deleted = StreamDeletedError.fromStreamName('s');
    const bug = new TypeError('x is undefined');
    for (const error of [wrongVersion, deleted, bug, 'a string']) {
      expect(classifyClientError(error)).toBe('other');
      expect(appendRetryDelay(error, 1)).toBeNull();
      expect(toPortError(error, { connection: anonymous })).toBe(error);
    }
  });

  it('tries a retryable append three times in all, 100 then 400 ms apart, then answers EventStoreUnavailableError', () => {
    const timeout = new DeadlineExceededError();
    expect([1, 2, 3].map((attempt) => appendRetryDelay(timeout, attempt))).toEqual([100, 400, null]);
    expect(appendRetryDelay(timeout, 4, { ...DEFAULT_APPEND_RETRY, attempts: 10 })).toBe(1000);
    const mapped = toPortError(timeout, { streamId: 'user-1', connection: anonymous });
    expect(mapped).toBeInstanceOf(EventStoreUnavailableError);
    expect((mapped as EventStoreUnavailableError).retryAfterSeconds).toBe(1);
    expect((mapped as EventStoreUnavailableError).cause).toBe(timeout);
  });

  it('NOT_LEADER is retryable (the client reconnects to the leader it names)', () => {
    const error = convertToCommandError(
      Object.assign(new Error('not leader'), {
        code: 5,
        details: '',
        metadata: { getMap: () => ({ exception: 'not-leader', 'leader-endpoint-host': 'node2', 'leader-endpoint-port': '2113' }) },
      }),
    );
    expect(error).toBeInstanceOf(NotLeaderError);
    expect(classifyClientError(error)).toBe('retryable');
  });
});

describe('EventStoreDB rules: the connection string', () => {
  it.each([
    ['esdb://localhost:2113?tls=false', { username: undefined, tls: false }],
    ['esdb://admin:changeit@localhost:2113?tls=true', { username: 'admin', tls: true }],
    ['esdb://admin:changeit@localhost:2113', { username: 'admin', tls: true }],
    ['esdb+discover://ledger:p%40ss%3Aword@cluster.example:2113?connectionName=ledger', { username: 'ledger', tls: true }],
    ['esdb://node1:2113,node2:2113,node3:2113?TLS=false&nodePreference=leader', { username: undefined, tls: false }],
  ])('accepts %s, which the client reads too', async (value, expected) => {
    expect(checkConnectionString(value)).toEqual(expected);
    // The client parses at construction and connects only on the first call.
    await EventStoreDBClient.connectionString(value).dispose();
  });

  it('refuses what the client would refuse at start with a stack trace, in one line of its own', () => {
    expect(() => EventStoreDBClient.connectionString('kurrentdb://localhost:2113')).toThrow();
    expect(() => checkConnectionString('kurrentdb://localhost:2113')).toThrow(/^must start with esdb:\/\//);
  });

  it.each([
    ['kurrentdb://localhost:2113', /esdb:\/\//],
    ['http://localhost:2113', /esdb:\/\//],
    ['esdb://admin:changeit@localhost:2113?tls=false', /only over TLS/],
    ['esdb://admin:changeit@localhost:2113?Tls=False', /only over TLS/],
    ['esdb://admin:p@ss@localhost:2113', /%40/],
    ['esdb://admin@localhost:2113', /user:password/],
    ['esdb://admin:@localhost:2113', /user:password/],
    ['esdb://admin:a:b@localhost:2113', /%3A/],
    ['esdb://admin:%E0%A4%A@localhost:2113', /percent-encoding/],
    ['esdb://', /no host/],
  ])('refuses %s', (value, reason) => {
    expect(() => checkConnectionString(value)).toThrow(reason);
  });

  it('never repeats the password in what it says', () => {
    for (const value of ['esdb://admin:s3cret@localhost:2113?tls=false', 'esdb://admin:s3cret@x@localhost']) {
      expect(() => checkConnectionString(value)).toThrow(expect.objectContaining({ message: expect.not.stringContaining('s3cret') }));
    }
  });
});

describe('EventStoreDB rules: resuming after the server checkpoints a filtered subscription', () => {
  const at = (commit: number) => ({ commit: BigInt(commit), prepare: BigInt(commit) });

  it('moves the resume point to the checkpoint, past the events the server filtered out', () => {
    expect(afterCheckpoint({ next: 101, after: at(100) }, at(5000))).toEqual({ next: 5000, after: at(5000) });
    expect(afterCheckpoint({ next: 0 }, at(5000))).toEqual({ next: 5000, after: at(5000) });
  });

  it('never moves it back: a checkpoint at or below the last event received changes nothing', () => {
    const point = { next: 5001, after: at(5000) };
    expect(afterCheckpoint(point, at(4000))).toBe(point);
    expect(afterCheckpoint(point, at(5000))).toBe(point);
  });
});

describe('EventStoreDB rules: counting events for lag without reading the log', () => {
  it('counts the events after a position it has seen pass, and knows nothing before its start', () => {
    const counter = new EventCounter(1000);
    for (const position of [1100, 1250, 1300, 1300, 1200, 1420]) counter.add(position);
    expect(counter.head).toBe(1420);
    expect(counter.eventsBetween(1000)).toBe(4);
    expect(counter.eventsBetween(1100)).toBe(3);
    expect(counter.eventsBetween(1101)).toBe(3);
    expect(counter.eventsBetween(1300, 1300)).toBe(0);
    expect(counter.eventsBetween(1100, 1300)).toBe(2);
    expect(counter.eventsBetween(1420)).toBe(0);
    expect(counter.eventsBetween(99_999)).toBe(0);
    expect(counter.eventsBetween(999)).toBeNull();
    expect(counter.eventsBetween(-1)).toBeNull();
  });

  it('an empty log starts at 0 and counts from there', () => {
    const counter = new EventCounter(0);
    expect(counter.eventsBetween(-1)).toBeNull();
    counter.add(120);
    expect(counter.eventsBetween(0)).toBe(1);
  });

  it('stays bounded: past its capacity it forgets the oldest half and counts from there only', () => {
    const counter = new EventCounter(0, 10);
    for (let i = 1; i <= 11; i += 1) counter.add(i * 10);
    expect(counter.eventsBetween(0)).toBeNull();
    expect(counter.eventsBetween(60)).toBe(5);
    expect(counter.eventsBetween(50)).toBeNull();
  });
});
