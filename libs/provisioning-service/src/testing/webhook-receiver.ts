import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SIGNATURE_HEADER, SIGNATURE_TIMESTAMP_HEADER, verifyWebhookSignature } from '../signature';

/** One request the receiver got, whatever it answered. */
export interface Delivery {
  readonly idempotencyKey: string;
  readonly signatureValid: boolean;
  readonly body: any;
  readonly status: number;
}

/** What the receiver answers a verified request: a status (and headers), or `hold` to keep it waiting until released. */
export type Answer = { readonly status: number; readonly headers?: Record<string, string> } | 'hold';

/**
 * A downstream system as a real one behaves, for tests: it verifies the signature (401 when it
 * does not hold), and performs each effect once per Idempotency-Key (a repeated key is answered
 * 200 without a second effect). `answer` decides per request what it says back (default 200 at
 * once); a request answered with `hold` gets its effect and waits for `release()`, as a receiver
 * does whose response is lost.
 */
export class WebhookReceiver {
  readonly deliveries: Delivery[] = [];
  /** Effects performed, by key, in order: what the downstream did. */
  readonly effects: { key: string; action: string }[] = [];
  private readonly held: ServerResponse[] = [];
  private readonly waiters: { until: () => boolean; resolve: () => void }[] = [];
  private server: Server | null = null;

  constructor(
    private readonly secret: string,
    public answer: (delivery: { idempotencyKey: string; body: any; count: number }) => Answer = () => ({ status: 200 }),
  ) {}

  async start(): Promise<string> {
    this.server = createServer((request, response) => void this.handle(request, response));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/provision`;
  }

  effectsOf(key: string): number {
    return this.effects.filter((e) => e.key === key).length;
  }

  deliveriesOf(key: string): number {
    return this.deliveries.filter((d) => d.idempotencyKey === key).length;
  }

  /** Resolves once `until` holds (checked after each request). */
  waitFor(until: () => boolean): Promise<void> {
    if (until()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ until, resolve }));
  }

  /** Answers every held request with 200 (a connection already closed by its client is passed over). */
  release(): void {
    for (const response of this.held.splice(0)) if (!response.destroyed) response.writeHead(200).end('{}');
  }

  async stop(): Promise<void> {
    this.release();
    this.server?.closeAllConnections();
    await new Promise((resolve) => this.server?.close(resolve));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const header = (name: string) => request.headers[name.toLowerCase()] as string | undefined;
    const idempotencyKey = header('idempotency-key') ?? '';
    const signatureValid = verifyWebhookSignature(this.secret, { body: raw, timestamp: header(SIGNATURE_TIMESTAMP_HEADER), signature: header(SIGNATURE_HEADER) }, Math.floor(Date.now() / 1000));
    const body = JSON.parse(raw.toString('utf8') || 'null');
    let answer: Answer = { status: 401 };
    if (signatureValid) answer = this.answer({ idempotencyKey, body, count: this.deliveriesOf(idempotencyKey) + 1 });
    const status = answer === 'hold' ? 0 : answer.status;
    const performs = signatureValid && (answer === 'hold' || (status >= 200 && status < 300));
    if (performs && this.effectsOf(idempotencyKey) === 0) this.effects.push({ key: idempotencyKey, action: body?.action });
    this.deliveries.push({ idempotencyKey, signatureValid, body, status });
    if (answer === 'hold') this.held.push(response);
    else response.writeHead(answer.status, { 'Content-Type': 'application/json', ...answer.headers }).end(JSON.stringify({ ok: status < 300 }));
    for (const waiter of [...this.waiters]) {
      if (waiter.until()) {
        this.waiters.splice(this.waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  }
}
