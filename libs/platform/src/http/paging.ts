import { createHash } from 'node:crypto';
import { ValidationError } from '@access-ledger/core';
import { CursorRequiredError, InvalidKeysetError, Keyset, Page, SEARCH_SORT_LIMIT, isScalar } from '@access-ledger/read-store';

/**
 * Paging of the list endpoints: page numbers for the first rows, an opaque cursor (`after`,
 * from the previous page's `nextCursor`) for any depth, and totals counted only so far.
 * Every request then costs a bounded amount of work, whatever the page asked for.
 */

/** Page numbers reach this many rows; beyond, an offset would make SQLite step over them all. */
export const MAX_OFFSET_ROWS = 10_000;
/** Totals that have to be counted stop here and are reported as a lower bound. */
export const TOTAL_COUNT_LIMIT = 10_000;
/**
 * A search's total stops here ("at least 1,000"): counting its matches is the one part of a
 * search whose cost grows with them, and nobody pages through a thousand matches of a search.
 */
export const SEARCH_TOTAL_LIMIT = 1_000;
const MAX_CURSOR_LENGTH = 2048;

/** What a cursor belongs to: the list and everything that decides its rows and their order. */
export type CursorScope = Readonly<Record<string, string | number | boolean | null | readonly string[]>>;

export interface PageRequest {
  readonly page?: number;
  readonly pageSize?: number;
  readonly after?: string;
}

export interface Paging {
  readonly page: number | undefined;
  readonly pageSize: number;
  readonly after: Keyset | undefined;
}

export interface PageView<T> {
  items: T[];
  total: number;
  /** True when `total` is where counting stopped (TOTAL_COUNT_LIMIT, SEARCH_TOTAL_LIMIT with a search): there are more. */
  totalIsLowerBound: boolean;
  /** The page number asked for; null for a page reached by cursor. */
  page: number | null;
  pageSize: number;
  /** Pass as `after` for the next page; null on the last page. */
  nextCursor: string | null;
}

/**
 * A check value over the scope and the keyset. It makes a cursor unusable with another query
 * or after an edit, which is all it is for: a cursor is not a secret, and one that passes
 * still only positions a query the caller may run anyway.
 */
const digest = (scope: CursorScope, values: readonly unknown[], id: string) =>
  createHash('sha256').update(JSON.stringify([scope, values, id])).digest('base64url').slice(0, 22);

export function encodeCursor(scope: CursorScope, keyset: Keyset): string {
  return Buffer.from(JSON.stringify({ v: keyset.values, i: keyset.id, d: digest(scope, keyset.values, keyset.id) })).toString('base64url');
}

const invalidCursor = () =>
  new ValidationError(
    'invalid-cursor',
    'after is not a cursor this list handed out for this query: pass the nextCursor of a page with the same filters, search and sort, or start again without after.',
  );

export function decodeCursor(scope: CursorScope, cursor: string): Keyset {
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw invalidCursor();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  const { v, i, d } = (parsed ?? {}) as { v?: unknown; i?: unknown; d?: unknown };
  if (!Array.isArray(v) || !v.every(isScalar) || typeof i !== 'string' || typeof d !== 'string') throw invalidCursor();
  if (digest(scope, v, i) !== d) throw invalidCursor();
  return { values: v, id: i };
}

/** The page request as the read store takes it; refuses what would not be bounded or does not fit. */
export function pagingOf(request: PageRequest, scope: CursorScope, defaultPageSize = 25): Paging {
  const pageSize = request.pageSize ?? defaultPageSize;
  if (request.after !== undefined) {
    if (request.page !== undefined) throw new ValidationError('page-and-after', 'Send page or after, not both: after already says where the page starts.');
    return { page: undefined, pageSize, after: decodeCursor(scope, request.after) };
  }
  const page = request.page ?? 1;
  if (page * pageSize > MAX_OFFSET_ROWS) {
    throw new ValidationError(
      'use-cursor',
      `Page numbers reach the first ${MAX_OFFSET_ROWS} rows (page × pageSize ≤ ${MAX_OFFSET_ROWS}). To read further, follow nextCursor: send it as after.`,
      { maxOffsetRows: MAX_OFFSET_ROWS },
    );
  }
  return { page, pageSize, after: undefined };
}

/** Runs the read-store query, turning its refusals into answers for the client. */
export async function readPage<T>(find: () => Promise<Page<T>>): Promise<Page<T>> {
  try {
    return await find();
  } catch (error) {
    if (error instanceof CursorRequiredError) {
      throw new ValidationError(
        'use-cursor',
        `This search matches more than ${SEARCH_SORT_LIMIT} rows: only its first page is served by number. Continue with after=<nextCursor>, or narrow the search.`,
        { maxSortedMatches: SEARCH_SORT_LIMIT },
      );
    }
    // Only reachable with a cursor whose check value was forged: it does not fit the query.
    if (error instanceof InvalidKeysetError) throw invalidCursor();
    throw error;
  }
}

export function pageView<T, U>(found: Page<T>, paging: Paging, scope: CursorScope, items: U[], total = found.total, totalIsLowerBound = found.totalIsLowerBound): PageView<U> {
  return {
    items,
    total,
    totalIsLowerBound,
    page: paging.after ? null : found.page,
    pageSize: found.pageSize,
    nextCursor: found.next ? encodeCursor(scope, found.next) : null,
  };
}
