import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import addFormats from 'ajv-formats';
import OpenAPIBackend, { Document } from 'openapi-backend';

/**
 * Every response an API spec receives through `api.http` is checked against the committed
 * OpenAPI document (docs/openapi.json, which test/openapi.spec.ts keeps equal to what the app
 * serves): the operation must document the status, the media type must be one it documents,
 * and a JSON body must match the schema — with no member the schema does not name, so a field
 * added to an answer without its documentation fails too. Failures are collected and fail the
 * test that received them (test/support/openapi-setup.ts).
 */

export const COMMITTED_DOCUMENT = join(__dirname, '..', '..', 'docs', 'openapi.json');

/** Paths served but not in the contract: the document and its UI, and the operators' metrics (Prometheus text). */
const UNDOCUMENTED = [/^\/docs(\/|$)/, /^\/metrics\/?$/];

type Json = Record<string, unknown>;

/** The document as the validator reads it: strict objects, nullable in JSON Schema's words, every JSON media type checked. */
function validationView(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(validationView);
  if (node === null || typeof node !== 'object') return node;
  const out: Json = Object.fromEntries(Object.entries(node as Json).map(([key, value]) => [key, validationView(value)]));
  // A documented object says every member it has (unless it says it is open).
  if (out.type === 'object' && out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  // OpenAPI 3.0 `nullable` beside allOf or an enum, which Ajv reads only beside `type`.
  if (out.nullable === true && out.type === undefined) {
    delete out.nullable;
    return { anyOf: [out, { type: 'null' }] };
  }
  // openapi-backend validates `application/json` only: the same schema for every JSON media type.
  if (out.content && typeof out.content === 'object') {
    const content = out.content as Record<string, Json>;
    const json = Object.keys(content).find((type) => /^application\/([a-z.+-]+\+)?json$/.test(type));
    if (json && !content['application/json']) content['application/json'] = content[json];
  }
  return out;
}

const mediaType = (contentType: string | undefined) => (contentType ?? '').split(';')[0].trim().toLowerCase();

export interface ContractResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

export class ResponseContract {
  readonly failures: string[] = [];
  private constructor(
    private readonly api: OpenAPIBackend,
    private readonly documented: Document,
  ) {}

  static async load(): Promise<ResponseContract> {
    const documented = JSON.parse(readFileSync(COMMITTED_DOCUMENT, 'utf8')) as Document;
    const api = new OpenAPIBackend({ definition: validationView(documented) as Document, quick: true, ignoreTrailingSlashes: false, customizeAjv: (ajv) => addFormats(ajv) });
    await api.init();
    return new ResponseContract(api, documented);
  }

  /** Checks one response; a mismatch is recorded (and returned) as one line naming the request. */
  check(method: string, url: string, response: ContractResponse): string | null {
    const { pathname, searchParams } = new URL(url, 'http://service');
    let failure: string | null;
    try {
      failure = this.mismatch(method.toLowerCase(), pathname, Object.fromEntries(searchParams), response);
    } catch (error) {
      failure = `the check failed: ${error instanceof Error ? error.message : String(error)}`;
    }
    if (failure === null) return null;
    const line = `${method.toUpperCase()} ${pathname} → ${response.status}: ${failure}`;
    this.failures.push(line);
    return line;
  }

  private mismatch(method: string, path: string, query: Record<string, string>, response: ContractResponse): string | null {
    const operation = this.api.matchOperation({ method, path, headers: {}, query });
    if (!operation) {
      if (UNDOCUMENTED.some((pattern) => pattern.test(path))) return null;
      // No such route: the problem every unknown path gets, nothing else.
      if (response.status === 404 && mediaType(response.headers['content-type']) === 'application/problem+json') return null;
      return 'no operation of the document matches this request';
    }
    const documented = (this.documented.paths[operation.path] as Record<string, { responses: Record<string, unknown> }>)[method].responses;
    const declared = documented[String(response.status)] ?? documented[`${String(response.status)[0]}XX`] ?? documented.default;
    if (!declared) return `${operation.operationId} does not document status ${response.status} (documents ${Object.keys(documented).join(', ')})`;
    const content = this.resolve(declared).content as Record<string, unknown> | undefined;
    const type = mediaType(response.headers['content-type']);
    if (!content) return type ? `${operation.operationId} ${response.status} documents no body, got ${type}` : null;
    if (!Object.keys(content).includes(type)) return `${operation.operationId} ${response.status}: media type ${type || 'none'} is not documented (${Object.keys(content).join(', ')})`;
    if (!/json$/.test(type)) return null;
    const result = this.api.validateResponse(response.body, operation, response.status);
    if (result.valid) return null;
    return `${operation.operationId} ${response.status}: ${(result.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message}${e.params && 'additionalProperty' in e.params ? ` '${e.params.additionalProperty}'` : ''}`).join('; ')}`;
  }

  private resolve(node: unknown): Json {
    const ref = (node as { $ref?: string }).$ref;
    if (!ref) return node as Json;
    return this.resolve(ref.slice(2).split('/').reduce((at: unknown, key) => (at as Json)[key], this.documented));
  }
}
