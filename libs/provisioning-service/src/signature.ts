import { createHmac, timingSafeEqual } from 'node:crypto';

/** `sha256=<hex>`: HMAC-SHA256 with the shared secret over `<timestamp>.<raw body>`. */
export const SIGNATURE_HEADER = 'X-Signature';
/** Unix seconds when the request was signed; part of what is signed, so a replay later is refused. */
export const SIGNATURE_TIMESTAMP_HEADER = 'X-Signature-Timestamp';
/** How far a receiver should accept a timestamp from its own clock by default. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

const hmac = (secret: string, timestamp: string, body: string | Buffer): string =>
  createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex');

export const signWebhook = (secret: string, body: string, timestampSeconds: number): string => `sha256=${hmac(secret, String(timestampSeconds), body)}`;

export interface SignedRequest {
  /** The body exactly as received, before any JSON parsing. */
  readonly body: string | Buffer;
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
}

/**
 * What a receiver does (docs/operations.md, "Verifying a webhook"): the timestamp is whole
 * seconds within `toleranceSeconds` of its own clock, and the signature equals, in constant time,
 * the HMAC it computes itself over `<timestamp>.<raw body>`.
 */
export function verifyWebhookSignature(secret: string, request: SignedRequest, nowSeconds: number, toleranceSeconds = SIGNATURE_TOLERANCE_SECONDS): boolean {
  const { timestamp, signature, body } = request;
  if (!timestamp || !/^\d{1,12}$/.test(timestamp) || Math.abs(nowSeconds - Number(timestamp)) > toleranceSeconds) return false;
  const match = /^sha256=([0-9a-f]{64})$/.exec(signature ?? '');
  if (!match) return false;
  return timingSafeEqual(Buffer.from(match[1], 'hex'), Buffer.from(hmac(secret, timestamp, body), 'hex'));
}
