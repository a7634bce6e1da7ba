import { INestApplication } from '@nestjs/common';
import { IncomingHttpHeaders, IncomingMessage, request } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a Server-Sent Events stream carries, as the WHATWG parsing rules read it: events, and comment lines. */
export type SseItem = { readonly kind: 'event'; readonly id: string | undefined; readonly event: string | undefined; readonly data: string } | { readonly kind: 'comment'; readonly text: string };

export interface SseConnection {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The next event or comment, in order; null once the server has ended the stream (or cut it). */
  next(): Promise<SseItem | null>;
  /** The next event, skipping comments; null at the end. */
  nextEvent(): Promise<Extract<SseItem, { kind: 'event' }> | null>;
  /** The body of an answer that is not a stream (a problem), parsed. */
  body(): Promise<any>;
  /** Stops reading from the socket (the client's buffers fill, then the server's), and starts again. */
  pause(): void;
  resume(): void;
  /** Goes away, as a client that closes the tab. */
  close(): void;
  /** Resolves when the connection is closed, whoever closed it. */
  readonly closed: Promise<void>;
}

/** A small SSE reader over node:http: enough of the format (fields, comments, CRLF or LF) for the API's streams. */
export function openSse(app: INestApplication, path: string, headers: Record<string, string> = {}): Promise<SseConnection> {
  const { port } = app.getHttpServer().address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const outgoing = request({ host: '127.0.0.1', port, path, headers: { Accept: 'text/event-stream', ...headers }, agent: false }, (response: IncomingMessage) => {
      const items: SseItem[] = [];
      const waiting: ((item: SseItem | null) => void)[] = [];
      let ended = false;
      let text = '';
      let raw = '';
      let fields: { id?: string; event?: string; data: string[] } = { data: [] };
      const push = (item: SseItem | null) => {
        const waiter = waiting.shift();
        if (waiter) waiter(item);
        else if (item) items.push(item);
      };
      const line = (content: string) => {
        if (content === '') {
          if (fields.data.length > 0) push({ kind: 'event', id: fields.id, event: fields.event, data: fields.data.join('\n') });
          fields = { data: [] };
          return;
        }
        if (content.startsWith(':')) return push({ kind: 'comment', text: content.slice(1).trim() });
        const colon = content.indexOf(':');
        const name = colon < 0 ? content : content.slice(0, colon);
        const value = colon < 0 ? '' : content.slice(colon + 1).replace(/^ /, '');
        if (name === 'data') fields.data.push(value);
        else if (name === 'id' || name === 'event') fields[name] = value;
      };
      const finish = () => {
        if (ended) return;
        ended = true;
        while (waiting.length) waiting.shift()!(null);
      };
      const closed = new Promise<void>((done) => response.once('close', done));
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        raw += chunk;
        text += chunk;
        const lines = text.split(/\r\n|\r|\n/);
        text = lines.pop() ?? '';
        lines.forEach(line);
      });
      response.on('end', finish);
      response.on('error', finish);
      response.on('close', finish);
      const next = () => (items.length > 0 ? Promise.resolve(items.shift()!) : ended ? Promise.resolve(null) : new Promise<SseItem | null>((r) => waiting.push(r)));
      resolve({
        status: response.statusCode ?? 0,
        headers: response.headers,
        next,
        nextEvent: async () => {
          for (;;) {
            const item = await next();
            if (item === null || item.kind === 'event') return item;
          }
        },
        body: async () => {
          await closed;
          return JSON.parse(raw);
        },
        pause: () => response.pause(),
        resume: () => response.resume(),
        close: () => outgoing.destroy(),
        closed,
      });
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}
