import { FeedPage, OutcomeReport, PROVISIONING_EVENT_TYPES } from '@access-ledger/provisioning';
import { TokenSource } from './tokens';

/** A call to the API that did not go through: `status` undefined for a network error or time-out. */
export class ApiCallError extends Error {
  constructor(message: string, readonly status?: number, readonly retryAfterMs = 0) {
    super(message);
    this.name = 'ApiCallError';
  }
}

/** What became of an outcome report: recorded (or already recorded), or refused for good (the API's problem says why). */
export type ReportAnswer = { readonly recorded: true; readonly replayed: boolean } | { readonly recorded: false; readonly status: number; readonly problem: string };

/**
 * The API as provisioning uses it, over HTTP with a bearer token of role `integration`: the
 * feed page after a position, and the outcome reports. Errors that another call may get past
 * (network, time-out, 401 with a renewed token, 403, 408, 429, 5xx) throw ApiCallError; the
 * worker retries them for ever, because they are not the event's fault.
 */
export class ApiClient {
  constructor(
    private readonly baseUrl: string,
    private readonly tokens: TokenSource,
    private readonly timeoutMs: number,
  ) {}

  async events(after: number, limit: number, signal: AbortSignal): Promise<FeedPage> {
    const query = new URLSearchParams({ after: String(after), limit: String(limit), types: PROVISIONING_EVENT_TYPES.join(',') });
    const { status, body } = await this.call('GET', `/events?${query}`, signal);
    if (status !== 200) throw this.failed('GET /events', status, body);
    const page = body as FeedPage;
    if (!Array.isArray(page?.events) || typeof page.lastPosition !== 'number') throw new ApiCallError('GET /events answered a body that is not a feed page', status);
    return page;
  }

  async report(report: OutcomeReport, signal: AbortSignal): Promise<ReportAnswer> {
    const { status, body, headers } = await this.call('POST', report.path, signal, report.body, { 'Idempotency-Key': report.idempotencyKey });
    if (status >= 200 && status < 300) return { recorded: true, replayed: headers.get('idempotent-replayed') === 'true' };
    // Refusals another attempt would only repeat: an unknown subject, a state that takes no such outcome, a key already used for another report.
    if ([400, 404, 409, 410, 422].includes(status)) return { recorded: false, status, problem: problemText(body) };
    throw this.failed(`POST ${report.path}`, status, body);
  }

  private failed(what: string, status: number, body: unknown): ApiCallError {
    return new ApiCallError(`${what} answered ${status}: ${problemText(body)}`, status);
  }

  private async call(method: string, path: string, signal: AbortSignal, body?: unknown, extra: Record<string, string> = {}) {
    for (let renewed = false; ; renewed = true) {
      let response: Response;
      try {
        response = await fetch(`${this.baseUrl}${path}`, {
          method,
          headers: { Authorization: `Bearer ${await this.tokens.token()}`, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }), ...extra },
          body: body === undefined ? undefined : JSON.stringify(body),
          signal: AbortSignal.any([signal, AbortSignal.timeout(this.timeoutMs)]),
        });
      } catch (error) {
        if (signal.aborted) throw error;
        const cause = (error as { cause?: { code?: string } }).cause;
        throw new ApiCallError(`${method} ${path.split('?')[0]} did not go through: ${cause?.code ?? (error as Error).message}`);
      }
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      // A token past its age or rotated in its file: once more with a fresh one.
      if (response.status === 401 && !renewed) {
        this.tokens.renew();
        continue;
      }
      return { status: response.status, body: parsed, headers: response.headers };
    }
  }
}

const problemText = (body: unknown): string => {
  if (body && typeof body === 'object') {
    const { type, detail, title } = body as Record<string, unknown>;
    const code = typeof type === 'string' ? /[^:/]+$/.exec(type)?.[0] : undefined;
    return [code, detail ?? title].filter((x) => typeof x === 'string').join(': ') || JSON.stringify(body).slice(0, 200);
  }
  return String(body).slice(0, 200);
};
