import { INestApplication } from '@nestjs/common';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { loadConfig } from '@access-ledger/platform';
import { createProjectorApp } from '../apps/projector/src/projector.module';
import { TEST_MANAGEMENT_TOKEN, TestApi, bearer, startApi } from './support/api';
import { RawAnswer, rawExchange } from './support/raw-http';

type Answer = { status: number; headers: Record<string, string>; body: any };

const expectProblem = (response: Answer | RawAnswer, status: number, code: string) => {
  expect(response.status).toBe(status);
  expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(response.body).toMatchObject({ status, type: expect.stringMatching(new RegExp(`:${code}$`)), title: expect.any(String), detail: expect.any(String) });
};

describe('HTTP hardening', () => {
  let api: TestApi;
  let user: string;
  beforeAll(async () => {
    // Small enough that a slow client is cut off within the test.
    api = await startApi({ HTTP_REQUEST_TIMEOUT_MS: '400' });
    user = await api.token({ email: 'someone@example.org' });
  });
  afterAll(() => api.close());

  describe('security headers', () => {
    const expectCommonHeaders = (response: Answer) => {
      expect(response.headers['x-content-type-options']).toBe('nosniff');
      expect(response.headers['x-frame-options']).toBe('DENY');
      expect(response.headers['strict-transport-security']).toBe('max-age=31536000; includeSubDomains');
      expect(response.headers['referrer-policy']).toBe('no-referrer');
      expect(response.headers['x-powered-by']).toBeUndefined();
    };

    it('gives API answers a strict CSP, nosniff, frame denial, HSTS and no-store — errors included', async () => {
      for (const response of [await api.http.get('/me').set(bearer(user)), await api.http.get('/me'), await api.http.get('/health')]) {
        expectCommonHeaders(response);
        expect(response.headers['content-security-policy']).toBe("default-src 'none';frame-ancestors 'none';base-uri 'none';form-action 'none'");
        expect(response.headers['cache-control']).toMatch(/(^|[ ,])no-store([ ,]|$)/);
      }
    });

    it('keeps personal data out of caches: /me is no-store', async () => {
      const me = await api.http.get('/me').set(bearer(user));
      expect(me.status).toBe(200);
      expect(me.headers['cache-control']).toBe('no-store');
    });

    it('serves the Swagger UI under a CSP it works with: only same-origin scripts, inline styles', async () => {
      const page = await api.http.get('/docs');
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expectCommonHeaders(page);
      const csp = page.headers['content-security-policy'];
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self' 'unsafe-inline'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toMatch(/script-src[^;]*unsafe/);
      // Every script of the page is a file of this origin (script-src 'self' lets it run), none inline.
      const scripts = [...page.text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
      expect(scripts.length).toBeGreaterThan(0);
      for (const [, attributes, inline] of scripts) {
        expect(inline.trim()).toBe('');
        const src = /src=["']([^"']+)["']/.exec(attributes)![1];
        expect(src).not.toMatch(/^(https?:)?\/\//);
        const script = await api.http.get(new URL(src, 'http://host/docs').pathname);
        expect(script.status).toBe(200);
        expect(script.headers['content-type']).toMatch(/javascript/);
      }
      const doc = await api.http.get('/docs/openapi.json');
      expect(doc.status).toBe(200);
      expect(doc.body.openapi).toMatch(/^3\./);
      expect(doc.headers['x-content-type-options']).toBe('nosniff');
    });
  });

  describe('what Node parses itself is answered with problem+json', () => {
    it('answers a broken request line with 400 and closes the connection', async () => {
      const answer = await rawExchange(api.app, 'GARBAGE / HTTP/1.1\r\nHost: x\r\n\r\n');
      expectProblem(answer, 400, 'malformed-request');
      expect(answer.headers.connection).toBe('close');
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      expect(answer.headers['cache-control']).toBe('no-store');
      expect(answer.body.correlationId).toMatch(/^[0-9a-f-]{36}$/);
    });

    it('answers oversized headers with 431', async () => {
      const answer = await rawExchange(api.app, `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
      expectProblem(answer, 431, 'header-fields-too-large');
    });
  });

  describe('slow clients are cut off after HTTP_REQUEST_TIMEOUT_MS', () => {
    it('answers a body that never completes with 408 and closes the connection (authenticated caller)', async () => {
      const answer = await rawExchange(
        api.app,
        `POST /organisations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${user}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"name":`,
      );
      expectProblem(answer, 408, 'request-timeout');
      expect(answer.closed).toBe(true);
    });

    it('cuts off headers that never complete (anonymous caller)', async () => {
      const answer = await rawExchange(api.app, 'GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ');
      expectProblem(answer, 408, 'request-timeout');
    });
  });

  describe('readiness details and metrics need the management token', () => {
    it('refuses them without it, with a user’s token or with a wrong one; serves them with it', async () => {
      for (const path of ['/metrics', '/health/ready']) {
        expectProblem(await api.http.get(path), 401, 'management-token-required');
        expectProblem(await api.http.get(path).set(bearer(user)), 401, 'invalid-management-token');
        expectProblem(await api.http.get(path).set(bearer(`${TEST_MANAGEMENT_TOKEN}x`)), 401, 'invalid-management-token');
        expect((await api.http.get(path).set(bearer(TEST_MANAGEMENT_TOKEN))).status).toBe(200);
      }
      const ready = await api.http.get('/health/ready').set(bearer(TEST_MANAGEMENT_TOKEN));
      expect(ready.body.info.projections).toMatchObject({ status: 'up' });
      const metrics = await api.http.get('/metrics').set(bearer(TEST_MANAGEMENT_TOKEN));
      expect(metrics.text).toContain('projection_lag_events');
    });

    it('keeps liveness public', async () => {
      expect((await api.http.get('/health')).status).toBe(200);
    });

    it('serves them to nobody when no MANAGEMENT_TOKEN is configured', async () => {
      const closed = await startApi({ MANAGEMENT_TOKEN: '' });
      try {
        expectProblem(await closed.http.get('/metrics').set(bearer(TEST_MANAGEMENT_TOKEN)), 403, 'management-disabled');
        expectProblem(await closed.http.get('/health/ready'), 403, 'management-disabled');
        expect((await closed.http.get('/health')).status).toBe(200);
      } finally {
        await closed.close();
      }
    });
  });

  describe('the standalone projector', () => {
    let dataDir: string;
    let projector: INestApplication;
    beforeAll(async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'al-projector-'));
      projector = await createProjectorApp(loadConfig({ DATA_DIR: dataDir, LOG_LEVEL: 'silent', MANAGEMENT_TOKEN: TEST_MANAGEMENT_TOKEN }, { auth: false }));
      await projector.listen(0, '127.0.0.1');
    });
    afterAll(async () => {
      await projector.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('applies the same rule to its readiness and metrics, and the same headers', async () => {
      const http = request(projector.getHttpServer());
      for (const path of ['/metrics', '/health/ready']) {
        expectProblem(await http.get(path), 401, 'management-token-required');
        expect((await http.get(path).set(bearer(TEST_MANAGEMENT_TOKEN))).status).toBe(200);
      }
      const live = await http.get('/health');
      expect(live.status).toBe(200);
      expect(live.headers['x-content-type-options']).toBe('nosniff');
      expect(live.headers['cache-control']).toMatch(/(^|[ ,])no-store([ ,]|$)/);
      expectProblem(await rawExchange(projector, 'GARBAGE\r\n\r\n'), 400, 'malformed-request');
    });
  });
});
