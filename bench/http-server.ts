/**
 * The server side of `npm run bench:http`, in its own process so that it has a core of its
 * own: `api` (the real service on the embedded stores in BENCH_DATA_DIR) or `bare` (a NestJS
 * app with one endpoint doing nothing: the ceiling for any NestJS service on this machine).
 */
import 'reflect-metadata';
import { Body, Controller, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@access-ledger/platform';
import { createApp } from '../apps/api/src/app.factory';

@Controller()
class BareController {
  @Post('ping')
  @HttpCode(201)
  ping(@Body() body: unknown) {
    return { ok: true, echo: typeof body };
  }
}

@Module({ controllers: [BareController] })
class BareModule {}

async function main() {
  const mode = process.argv[2];
  const port = Number(process.argv[3]);
  const app =
    mode === 'bare'
      ? await NestFactory.create(BareModule, { logger: false })
      : // The load comes from one IP and a few tokens: without RATE_LIMITS=off it would measure the limiter's 429s.
        await createApp(loadConfig({ DATA_DIR: process.env.BENCH_DATA_DIR, AUTH_JWT_SECRET: process.env.BENCH_SECRET, LOG_LEVEL: 'silent', RATE_LIMITS: 'off' }));
  await app.listen(port, '127.0.0.1');
  process.send?.('ready');
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

void main();
