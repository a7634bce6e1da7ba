import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ThrottlerStorage } from '@nestjs/throttler';
import type { NextFunction, Request, Response } from 'express';
import { Logger } from 'nestjs-pino';
import { newId } from '@access-ledger/core';
import { anonymousIpLimit, AppConfig, completeContract, hardenServer, jsonBody, securityHeaders, TOKEN_VERIFIER, validationPipe } from '@access-ledger/platform';
import { ProvisioningConfig } from '@access-ledger/provisioning-service';
import { AppModule } from './app.module';

const CORRELATION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Accepts X-Correlation-Id (or makes one) and echoes it; runs before everything else, logging included. */
const correlation = (request: Request, response: Response, next: NextFunction) => {
  const given = request.header('x-correlation-id');
  request.correlationId = given && CORRELATION_ID.test(given) ? given : newId();
  response.setHeader('X-Correlation-Id', request.correlationId);
  next();
};

/** The integrator contract (served at /docs/openapi.json, committed as docs/openapi.json by `npm run openapi`). */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  const base = new DocumentBuilder()
    .setTitle('access-ledger')
    .setDescription(
      'Who may use what, who is in the organisation, who may see whose data — with the audit trail to prove it. ' +
        'Conventions (authentication, problem+json errors, Idempotency-Key, ETag and If-Match, X-Min-Position, paging): docs/api.md.',
    )
    .setVersion('0.1.0')
    .addServer('/', 'This service')
    .build();
  const license = { name: 'UNLICENSED: proprietary, not for redistribution' };
  return completeContract(SwaggerModule.createDocument(app, { ...base, info: { ...base.info, license } }));
}

/**
 * Builds the HTTP application (not yet listening): used by main and by the API tests alike.
 * `provisioning`: run account provisioning in this process, on the feed of this server once it listens.
 */
export async function createApp(config: AppConfig, provisioning: ProvisioningConfig | null = null): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forConfig(config, provisioning), { bodyParser: false, bufferLogs: true });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  if (config.http.trustProxyHops > 0) app.set('trust proxy', config.http.trustProxyHops);
  hardenServer(app.getHttpServer(), config.http);
  app.use(correlation);
  app.use(securityHeaders);
  if (config.rateLimits.enabled) {
    // Before the body parser: an anonymous flood is refused without reading its bodies.
    app.use(
      anonymousIpLimit({
        storage: app.get(ThrottlerStorage),
        verifier: app.get(TOKEN_VERIFIER),
        limitPerMinute: config.rateLimits.anonymousPerIpPerMinute,
        managementToken: config.managementToken,
      }),
    );
  }
  app.use(jsonBody(config.bodyLimit));
  app.useGlobalPipes(validationPipe());

  SwaggerModule.setup('docs', app, openApiDocument(app), { jsonDocumentUrl: 'docs/openapi.json' });

  await app.init();
  return app;
}
