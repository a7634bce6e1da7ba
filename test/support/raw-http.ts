import { INestApplication } from '@nestjs/common';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: any;
  /** True when the server closed the connection (we never close it ourselves). */
  readonly closed: boolean;
}

/**
 * Writes `data` on a plain TCP socket to the app, never ends the request itself, and resolves
 * with what the server answered once the server closes the connection: for what supertest
 * cannot send (a broken request line, oversized headers, a body that never completes).
 * Rejects if the server keeps the connection open longer than `giveUpAfterMs`.
 */
export function rawExchange(app: INestApplication, data: string | Buffer, giveUpAfterMs = 8000): Promise<RawAnswer> {
  const { port } = app.getHttpServer().address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(data));
    const chunks: Buffer[] = [];
    // Not a timing assertion: a bound so that a server that never closes fails the test instead of hanging the suite.
    const giveUp = setTimeout(() => {
      socket.destroy();
      reject(new Error(`the server kept the connection open for ${giveUpAfterMs} ms; it answered: ${JSON.stringify(Buffer.concat(chunks).toString('utf8').slice(0, 200))}`));
    }, giveUpAfterMs);
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      clearTimeout(giveUp);
      const raw = Buffer.concat(chunks).toString('utf8');
      const [head, ...rest] = raw.split('\r\n\r\n');
      const [statusLine, ...lines] = head.split('\r\n');
      const match = /^HTTP\/1\.1 (\d{3}) /.exec(statusLine);
      if (!match) return reject(new Error(`no HTTP answer: ${JSON.stringify(raw.slice(0, 200))}`));
      const headers = Object.fromEntries(lines.map((l) => [l.slice(0, l.indexOf(':')).toLowerCase(), l.slice(l.indexOf(':') + 1).trim()]));
      const text = rest.join('\r\n\r\n');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {
        // not JSON: keep the text
      }
      resolve({ status: Number(match[1]), headers, body, closed: true });
    });
  });
}
