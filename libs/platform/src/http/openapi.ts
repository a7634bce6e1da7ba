import { applyDecorators } from '@nestjs/common';
import { ApiExtension, ApiHeaderOptions, ApiResponse, OpenAPIObject } from '@nestjs/swagger';
import type { HeaderObject, OperationObject, ParameterObject, ReferenceObject, ResponseObject, SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { RATE_LIMIT_EXEMPT_PATHS } from './rate-limits';

/**
 * The integrator contract's shared parts. Controllers say what is theirs (their answer's shape
 * with `ApiAnswer`, the problems only they raise with `ApiProblems`, the headers they read);
 * `completeContract` adds to every operation what the platform's global guards, interceptors
 * and middleware do to it (authentication, rate limits, idempotency, body checks), so that a
 * new endpoint is documented as the platform treats it without repeating any of it.
 */

export type Schema = SchemaObject | ReferenceObject;

/** Marks a schema to be hoisted into `components.schemas` under this name (`completeContract` does it). */
const COMPONENT = 'x-component';
/** Statuses an operation's own code can answer with problem+json (`ApiProblems`). */
const PROBLEMS = 'x-problems';
/** An operation open without a token (`@Public()`). */
export const PUBLIC_EXTENSION = 'x-public';

const withoutName = (schema: SchemaObject): SchemaObject => Object.fromEntries(Object.entries(schema).filter(([key]) => key !== COMPONENT));

/** Schema builders: one line per field, JSON Schema as OpenAPI 3.0 writes it. */
export const s = {
  string: (extra: SchemaObject = {}): SchemaObject => ({ type: 'string', ...extra }),
  /** A UUID: the ids this service makes. */
  uuid: (description?: string): SchemaObject => ({ type: 'string', format: 'uuid', ...(description ? { description } : {}) }),
  /** An instant, ISO 8601 in UTC with milliseconds. */
  instant: (description?: string): SchemaObject => ({ type: 'string', format: 'date-time', ...(description ? { description } : {}) }),
  integer: (extra: SchemaObject = {}): SchemaObject => ({ type: 'integer', ...extra }),
  boolean: (description?: string): SchemaObject => ({ type: 'boolean', ...(description ? { description } : {}) }),
  oneOf: (values: readonly string[], description?: string): SchemaObject => ({ type: 'string', enum: [...values], ...(description ? { description } : {}) }),
  list: (items: Schema, description?: string): SchemaObject => ({ type: 'array', items, ...(description ? { description } : {}) }),
  /** Any JSON value (a field's value before and after a change, an event's data as stored). */
  any: (description: string): SchemaObject => ({ description }),
  /** `schema` or null. A named schema is wrapped (OpenAPI 3.0 puts nothing beside a $ref). */
  nullable: (schema: SchemaObject): SchemaObject => {
    // An enumeration lists null too (OpenAPI 3.0.3: nullable does not extend enum); a named one is written out here.
    if (schema.enum) return { ...withoutName(schema), nullable: true, enum: [...schema.enum, null] };
    // A named object is referred to (nothing may stand beside a $ref in 3.0): nullable beside allOf, with its type.
    if (COMPONENT in schema) return { type: schema.type, nullable: true, allOf: [schema] };
    return { ...schema, nullable: true };
  },
  /** An object with these members, all required but those named in `optional`. */
  object: (properties: Record<string, Schema>, options: { optional?: readonly string[]; description?: string; open?: boolean } = {}): SchemaObject => ({
    type: 'object',
    ...(options.description ? { description: options.description } : {}),
    required: Object.keys(properties).filter((key) => !options.optional?.includes(key)),
    properties,
    ...(options.open ? { additionalProperties: true } : {}),
  }),
  /** The schema as a named component (`#/components/schemas/<name>`) wherever it is used. */
  named: (name: string, schema: SchemaObject): SchemaObject => ({ [COMPONENT]: name, ...schema }) as SchemaObject,
};

/** What every write answers with: where its events are in the log (send it as X-Min-Position). */
export const POSITION = s.integer({ minimum: 0, description: 'Position of the write in the log: send it as X-Min-Position to read your write.' });

/** What creating an entity answers: its id, and the write's position. */
export const CREATED = s.named('Created', s.object({ id: s.uuid(), position: POSITION }));
/** A write on an existing entity whose new version is in the ETag. */
export const WRITTEN = s.named('Written', s.object({ position: POSITION }));

/** A list page (docs/api.md, "Paging"), of `item`s. */
export const pageOf = (name: string, item: Schema, extra: Record<string, Schema> = {}): SchemaObject =>
  s.named(
    name,
    s.object({
      items: s.list(item),
      total: s.integer({ minimum: 0, description: 'Rows matching. Counted ones stop at a bound: 1,000 for a search (`q`), 10,000 otherwise; beyond it, `total` is the bound.' }),
      totalIsLowerBound: s.boolean('True when `total` is the bound where counting stopped: there are more ("at least `total`"). Exact, false, up to the bound.'),
      page: s.nullable(s.integer({ minimum: 1, description: 'The page number, null for a cursor page.' })),
      pageSize: s.integer({ minimum: 1 }),
      nextCursor: s.nullable(s.string({ description: 'Send as `after` for the next page; null on the last page.' })),
      ...extra,
    }),
  );

const FIELD_ERROR = s.named('FieldError', s.object({ field: s.string(), messages: s.list(s.string()) }));

/** RFC 9457 problem details as problem.ts writes them; extension members may follow. */
export const PROBLEM = s.named(
  'Problem',
  s.object(
    {
      type: s.string({ description: 'urn:access-ledger:problem:<code>: the stable code to switch on.', pattern: '^urn:access-ledger:problem:[a-z0-9-]+$' }),
      title: s.string(),
      status: s.integer({ minimum: 400, maximum: 599 }),
      detail: s.string(),
      instance: s.string({ description: 'The request path and query.' }),
      correlationId: s.string({ description: 'Quote it when reporting a problem (also in X-Correlation-Id).' }),
      errors: s.list(FIELD_ERROR, 'validation-failed: each offending field with its messages.'),
      currentVersion: s.integer({ description: 'stale-version: the version the resource is at now.' }),
      retryAfterSeconds: s.integer({ description: 'rate-limited, read-model-behind, idempotency-key-in-use: also in Retry-After.' }),
      scope: s.oneOf(['ip', 'caller', 'requester', 'organisation'], 'rate-limited: which limit.'),
      maxOffsetRows: s.integer({ description: 'use-cursor: how far numbered pages reach.' }),
      firstRecordedAt: s.instant('not-yet-recorded: when the entity’s first event occurred.'),
      checks: s.any('not-ready: each dependency and consumer checked, with its state.'),
    },
    { optional: ['instance', 'correlationId', 'errors', 'currentVersion', 'retryAfterSeconds', 'scope', 'maxOffsetRows', 'firstRecordedAt', 'checks'], open: true },
  ),
);

const header = (description: string, schema: SchemaObject = s.string()): HeaderObject => ({ description, schema });
const HEADERS: Record<string, HeaderObject> = {
  ETag: header('The resource’s version ("<stream revision>"): send it back as If-Match.', s.string({ pattern: '^"[0-9]+"$' })),
  RetryAfter: header('Seconds to wait before retrying.', s.integer({ minimum: 0 })),
  WWWAuthenticate: header('Bearer, with the error when a token was sent (RFC 6750).'),
};
const headerRef = (name: keyof typeof HEADERS) => ({ $ref: `#/components/headers/${name}` });

/** The shared problem responses: status → name and the codes it stands for (docs/api.md, "Errors"). */
const PROBLEM_RESPONSES: Record<number, { name: string; description: string; headers?: Record<string, ReferenceObject> }> = {
  400: { name: 'BadRequest', description: 'The request is not valid: `validation-failed` (with `errors`), `malformed-json`, `json-too-deep`, `malformed-unicode`, `invalid-if-match`, `invalid-min-position`, `invalid-idempotency-key`, `invalid-cursor`, `use-cursor`, …' },
  401: { name: 'Unauthorized', description: 'No valid token: `missing-token`, `invalid-token`, `token-expired` (operators: `management-token-required`, `invalid-management-token`).', headers: { 'WWW-Authenticate': headerRef('WWWAuthenticate') } },
  403: { name: 'Forbidden', description: 'Authenticated but not allowed: `user-deactivated` on every call of a deactivated user, `auditor-read-only` on every write by an auditor, and the operation’s own (`not-a-spoc`, `not-an-auditor`, …).' },
  404: { name: 'NotFound', description: 'No such resource (the code names which: `user-not-found`, `workflow-not-found`, …).' },
  409: {
    name: 'Conflict',
    description: 'The state forbids it (`email-already-exists`, `last-lead-administrator`, …), `concurrent-modification` (retry), `idempotency-key-in-use` (retry after Retry-After), or `duplicate-event-id` (nothing was written).',
    headers: { 'Retry-After': headerRef('RetryAfter') },
  },
  412: { name: 'PreconditionFailed', description: '`stale-version`: If-Match names a version the resource is no longer at (`currentVersion` says which it is at).' },
  413: { name: 'ContentTooLarge', description: '`payload-too-large`: the body is over BODY_LIMIT_KB; `append-too-large`: the change is over what the event store accepts (nothing was written).' },
  415: { name: 'UnsupportedMediaType', description: '`unsupported-charset`: a JSON body in another charset than UTF-8.' },
  422: { name: 'UnprocessableContent', description: '`idempotency-key-reused`: the Idempotency-Key was used with another body.' },
  429: { name: 'TooManyRequests', description: '`rate-limited` (`scope`: `ip`, `caller`, `requester`, `organisation`).', headers: { 'Retry-After': headerRef('RetryAfter') } },
  500: { name: 'InternalError', description: '`internal-error`: quote the correlation id.' },
  503: {
    name: 'ServiceUnavailable',
    description:
      '`event-store-unavailable`: the event store did not answer in time (a write may or may not be recorded: retry it, with the same Idempotency-Key); `read-model-behind`: X-Min-Position was not reached in time (nothing stale is answered); `not-ready` for readiness.',
    headers: { 'Retry-After': headerRef('RetryAfter') },
  },
};
export type ProblemStatus = keyof typeof PROBLEM_RESPONSES & number;

export const PROBLEM_JSON = 'application/problem+json';

/** The problems this operation's own code can answer with (the platform's cross-cutting ones are added by `completeContract`). */
export const ApiProblems = (...statuses: ProblemStatus[]) => ApiExtension(PROBLEMS, statuses);

/** The operation's success answer: its status, shape (a `s.named` schema), media type and whether it sends the resource's ETag. */
export const ApiAnswer = (status: 200 | 201, schema: Schema, options: { description?: string; etag?: boolean; mediaType?: string; headers?: Record<string, HeaderObject> } = {}) =>
  applyDecorators(
    ApiResponse({
      status,
      description: options.description ?? (status === 201 ? 'Created.' : 'OK.'),
      content: { [options.mediaType ?? 'application/json']: { schema } },
      ...(options.etag || options.headers ? { headers: { ...(options.etag ? { ETag: headerRef('ETag') } : {}), ...options.headers } } : {}),
    }),
  );

/** The request headers the API documents on its operations, described once. */
export const IDEMPOTENCY_KEY_HEADER: ApiHeaderOptions = {
  name: 'Idempotency-Key',
  required: false,
  description: 'A retry with the same key and body returns the first outcome (with Idempotent-Replayed: true) and writes nothing; 1–255 visible ASCII characters.',
};

/** If-Match on a write to `resource` ("user", "request"). */
export const ifMatchHeader = (resource: string): ApiHeaderOptions => ({
  name: 'If-Match',
  required: false,
  description: `The ETag you displayed; 412 when the ${resource} changed since.`,
});

/** X-Min-Position on a list query; `wait` says how long it waits ("bounded", "up to 5 s"). */
export const minPositionHeader = (wait: string): ApiHeaderOptions => ({
  name: 'X-Min-Position',
  required: false,
  description: `Wait (${wait}) until this write position is reflected.`,
});

const WRITE_METHODS = new Set(['post', 'put', 'patch', 'delete']);
const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

const headerNamed = (operation: OperationObject, name: string) =>
  (operation.parameters ?? []).some((p) => 'in' in p && p.in === 'header' && p.name.toLowerCase() === name.toLowerCase());

/** The statuses the platform answers this operation with, whatever its own code does. */
function platformProblems(path: string, method: string, operation: OperationObject): ProblemStatus[] {
  const statuses: ProblemStatus[] = [500];
  const secured = (operation.security ?? []).length > 0;
  const write = WRITE_METHODS.has(method);
  // Every authenticated call reads the event store (the caller's directory record at least): EventStoreDB may not answer in time.
  if (secured) statuses.push(401, 403, 503);
  if (!RATE_LIMIT_EXEMPT_PATHS.has(path)) statuses.push(429);
  if ((operation.parameters ?? []).length > 0 || operation.requestBody) statuses.push(400);
  // Every write: the body checks before parsing, the Idempotency-Key interceptor, the auditors' read-only guard.
  if (write) statuses.push(400, 409, 413, 415, 422);
  if (headerNamed(operation, 'If-Match')) statuses.push(412);
  if (headerNamed(operation, 'X-Min-Position')) statuses.push(503);
  return statuses;
}

/** Replaces every `s.named` schema by a $ref to it in `components.schemas` (one definition per name). */
function hoistNamed(node: unknown, schemas: Record<string, Schema>): unknown {
  if (Array.isArray(node)) return node.map((item) => hoistNamed(item, schemas));
  if (node === null || typeof node !== 'object') return node;
  const entries = Object.entries(node as Record<string, unknown>).filter(([key]) => key !== COMPONENT);
  const hoisted = Object.fromEntries(entries.map(([key, value]) => [key, hoistNamed(value, schemas)]));
  const name = (node as Record<string, unknown>)[COMPONENT];
  if (typeof name !== 'string') return hoisted;
  const known = schemas[name];
  if (known && JSON.stringify(known) !== JSON.stringify(hoisted)) throw new Error(`Two different schemas are named ${name}`);
  schemas[name] = hoisted as Schema;
  return { $ref: `#/components/schemas/${name}` };
}

/**
 * The document as integrators get it: each operation's security (bearer unless public, as the
 * global AuthGuard decides), the platform's problems and headers on every operation they apply
 * to, the operation's own problems, the shared components. Throws when an operation lacks its
 * id or summary, so a new endpoint cannot be published without them.
 */
export function completeContract(document: OpenAPIObject): OpenAPIObject {
  const schemas: Record<string, Schema> = { ...(document.components?.schemas ?? {}) };
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method] as (OperationObject & Record<string, unknown>) | undefined;
      if (!operation) continue;
      if (!operation.operationId || !operation.summary) throw new Error(`${method.toUpperCase()} ${path} needs an operationId and a summary (@ApiOperation)`);
      if (operation[PUBLIC_EXTENSION] && !(operation.security ?? []).length) operation.security = [];
      else if (!operation.security?.length) operation.security = [{ bearer: [] }];
      delete operation[PUBLIC_EXTENSION];
      if (WRITE_METHODS.has(method) && !headerNamed(operation, 'Idempotency-Key')) {
        operation.parameters = [...(operation.parameters ?? []), { in: 'header', schema: { type: 'string' }, ...IDEMPOTENCY_KEY_HEADER } as ParameterObject];
      }
      const own = (operation[PROBLEMS] as ProblemStatus[] | undefined) ?? [];
      delete operation[PROBLEMS];
      const responses: Record<string, ResponseObject | ReferenceObject> = {};
      for (const [status, response] of Object.entries(operation.responses)) if (response && Number(status) < 400) responses[status] = response;
      for (const status of [...new Set([...own, ...platformProblems(path, method, operation)])].sort((a, b) => a - b)) {
        responses[String(status)] = { $ref: `#/components/responses/${PROBLEM_RESPONSES[status].name}` };
      }
      operation.responses = responses;
    }
  }
  const paths = hoistNamed(document.paths, schemas) as OpenAPIObject['paths'];
  hoistNamed({ PROBLEM }, schemas);
  return {
    ...document,
    paths,
    components: {
      ...document.components,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'A token of your identity provider (docs/api.md, "Authentication").' },
        management: { type: 'http', scheme: 'bearer', description: 'The operators’ MANAGEMENT_TOKEN (docs/operations.md).' },
      },
      schemas: Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b))),
      headers: HEADERS,
      responses: Object.fromEntries(
        Object.values(PROBLEM_RESPONSES).map(({ name, description, headers }) => [
          name,
          { description, ...(headers ? { headers } : {}), content: { [PROBLEM_JSON]: { schema: { $ref: '#/components/schemas/Problem' } } } },
        ]),
      ),
    },
  };
}
