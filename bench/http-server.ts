/**
 * The server side of `npm run bench:http` and `bench:soak`, in its own process: `api` (the real
 * service on the embedded stores in BENCH_DATA_DIR) or `bare` (a NestJS app on the same adapter
 * taking the same POSTs and doing nothing with them: the ceiling for any NestJS service on this
 * machine).
 */
import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import { Body, Controller, HttpCode, Module, Param, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { loadConfig } from '@access-ledger/platform';
import { createApp } from '../apps/api/src/app.factory';

@Controller('requests')
class BareController {
  @Post()
  @HttpCode(201)
  create(@Body() body: unknown) {
    return { id: randomUUID(), echo: typeof body };
  }

  @Post(':id/submit')
  @HttpCode(200)
  submit(@Param('id') id: string, @Body() body: unknown) {
    return { id, echo: typeof body };
  }

  @Post(':id/approve')
  @HttpCode(200)
  approve(@Param('id') id: string, @Body() body: unknown) {
    return { id, echo: typeof body };
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
        await createApp(loadConfig({ DATA_DIR: process.env.BENCH_DATA_DIR, AUTH_JWT_SECRET: process.env.BENCH_SECRET, LOG_LEVEL: 'silent', RATE_LIMITS: 'off', RUN_PROJECTIONS: process.env.RUN_PROJECTIONS, RUN_PROVISIONING: process.env.RUN_PROVISIONING, READ_STORE_CACHE_MB: process.env.READ_STORE_CACHE_MB }));
  await app.listen(port, '127.0.0.1');
  // BENCH_MEMORY_LOG=<file>: where the service's memory goes over a soak (heap against native), a line every 10 s.
  const memoryLog = process.env.BENCH_MEMORY_LOG;
  if (memoryLog && mode !== 'bare') {
    const { appendFileSync, readFileSync, readdirSync, statSync } = await import('node:fs');
    const { join } = await import('node:path');
    const dataDir = process.env.BENCH_DATA_DIR!;
    // The kinds of resident memory (anonymous: malloc and the V8 heaps of both threads; file: mapped files, -shm), in kB, and the data files' sizes in MB.
    const status = () => Object.fromEntries([...readFileSync('/proc/self/status', 'utf8').matchAll(/^(RssAnon|RssFile|RssShmem):\s+(\d+)/gm)].map((m) => [m[1], Number(m[2])]));
    const files = () => Object.fromEntries(readdirSync(dataDir).map((f) => [f, Math.round(statSync(join(dataDir, f)).size / 1e5) / 10]));
    const { getHeapSpaceStatistics, getHeapStatistics } = await import('node:v8');
    const { PerformanceObserver, constants } = await import('node:perf_hooks');
    // The live heap: what is used right after the last full (mark-compact) collection.
    let liveAfterMajorGc = 0;
    new PerformanceObserver((list) => {
      if (list.getEntries().some((e) => (e as unknown as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR)) liveAfterMajorGc = getHeapStatistics().used_heap_size;
    }).observe({ entryTypes: ['gc'] });
    // The main thread's V8 heap by space (new, old, code, large objects), committed bytes.
    const spaces = () => Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, s.physical_space_size]));
    setInterval(() => appendFileSync(memoryLog, `${JSON.stringify({ at: Math.round(process.uptime()), ...process.memoryUsage(), liveAfterMajorGc, ...status(), spaces: spaces(), files: files() })}\n`), 10_000).unref();
  }
  process.send?.('ready');
  process.on('SIGTERM', () => void app.close().then(() => process.exit(0)));
}

void main();
