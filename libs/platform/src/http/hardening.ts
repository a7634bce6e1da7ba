import { Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { STATUS_CODES, maxHeaderSize } from 'node:http';
import type { Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { newId } from '@access-ledger/core';
import { HttpServerConfig } from '../config/config';
import { problemType } from './problem';

// ---- security headers -----------------------------------------------------------------

const common = {
  strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
  xFrameOptions: { action: 'deny' as const },
  referrerPolicy: { policy: 'no-referrer' as const },
};
const none = ["'none'"];

/** JSON answers load nothing and may be framed by nobody. */
const apiHeaders = helmet({
  ...common,
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: none, frameAncestors: none, baseUri: none, formAction: none } },
});

/**
 * The Swagger UI: its scripts are files of the same origin (no inline script), its page and
 * swagger-ui.css carry inline styles and data: images; "Try it out" calls this origin.
 */
const docsHeaders = helmet({
  ...common,
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: none,
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      frameAncestors: none,
      baseUri: none,
      formAction: none,
      objectSrc: none,
    },
  },
});

const isDocs = (path: string) => path === '/docs' || path.startsWith('/docs/');

/**
 * helmet on every response (nosniff, frame denial, HSTS, CSP: strict for the API, relaxed
 * for /docs), and `Cache-Control: no-store` on everything but the API docs: answers carry
 * personal data and must not be kept by browsers or shared caches.
 */
export const securityHeaders = (request: Request, response: Response, next: NextFunction) => {
  if (isDocs(request.path)) return docsHeaders(request, response, next);
  response.setHeader('Cache-Control', 'no-store');
  return apiHeaders(request, response, next);
};

// ---- the HTTP server: timeouts and Node's own parse errors ----------------------------

const logger = new Logger('Http');

const CLIENT_ERRORS: Record<string, { status: number; code: string; detail: string }> = {
  HPE_HEADER_OVERFLOW: {
    status: 431,
    code: 'header-fields-too-large',
    detail: `The request line and headers are larger than this service accepts (${Math.floor(maxHeaderSize / 1024)} KB).`,
  },
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, code: 'request-timeout', detail: 'The request (headers and body) was not received in time; the connection is closed.' },
  HPE_CHUNK_EXTENSIONS_OVERFLOW: { status: 413, code: 'payload-too-large', detail: 'The chunk extensions of the request body are too large.' },
};
const MALFORMED = { status: 400, code: 'malformed-request', detail: 'The request is not valid HTTP/1.1 (request line, headers or framing).' };

/**
 * Node answers what it cannot parse itself (bad request line, oversized headers, a request not
 * received within the timeout) before any middleware runs. Like Node's default, answer only if
 * nothing of a response went out yet, then close: but with a problem+json body.
 */
export function onClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  const inFlight = (socket as Duplex & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (error.code === 'ECONNRESET' || !socket.writable || inFlight?.headersSent) {
    socket.destroy();
    return;
  }
  const { status, code, detail } = (error.code && CLIENT_ERRORS[error.code]) || MALFORMED;
  const correlationId = newId();
  logger.debug({ msg: 'client error', code: error.code, status, correlationId });
  const body = JSON.stringify({ type: problemType(code), title: STATUS_CODES[status], status, detail, correlationId });
  const head = [
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
    'Content-Type: application/problem+json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Cache-Control: no-store',
    'X-Content-Type-Options: nosniff',
    `X-Correlation-Id: ${correlationId}`,
    'Connection: close',
  ];
  // Destroyed once written; a peer that does not read is cut off soon anyway.
  const cutOff = setTimeout(() => socket.destroy(), 5000).unref();
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`, () => {
    clearTimeout(cutOff);
    socket.destroy();
  });
}

/**
 * Timeouts and client-error answers for the server the app listens on (createApp applies
 * it before listen, for the service and the tests alike). A request (headers and body)
 * not received within `requestTimeoutMs`, from anyone, gets 408 and its connection closed.
 */
export function hardenServer(server: Server, config: HttpServerConfig): void {
  server.requestTimeout = config.requestTimeoutMs;
  server.headersTimeout = config.headersTimeoutMs;
  // Node checks both timeouts on this interval (default 30 s, read when listening starts).
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.max(50, Math.min(1000, Math.floor(config.headersTimeoutMs / 2)));
  server.on('clientError', onClientError);
}
