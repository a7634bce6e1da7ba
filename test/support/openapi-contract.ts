import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import addFormats from 'ajv-formats';
import { Document, OpenAPIRouter, OpenAPIValidator, ValidationContext } from 'openapi-backend';

/**
 * Every response an API spec receives through `api.http` is checked against the committed
 * OpenAPI document (docs/openapi.json, which test/openapi.spec.ts keeps equal to what the app
 * serves): the operation must document the status, the media type must be one it documents,
 * and a JSON body must match the schema — with no member the schema does not name, so a field
 * added to an answer without its documentation fails too. Failures are collected and fail the
 * test that received them (test/support/openapi-setup.ts).
 */

export const COMMITTED_DOCUMENT = join(__dirname, '..', '..', 'docs', 'openapi.json');

/**
 * Paths served but not in the contract: the document and its UI, the operators' metrics
 * (Prometheus text), and the operator routes of account provisioning when it runs inside the
 * API (its own process serves them otherwise; docs/operations.md).
 */
const UNDOCUMENTED = [/^\/docs(\/|$)/, /^\/metrics\/?$/, /^\/provisioning(\/|$)/];

type Json = Record<string, unknown>;

/** The document as the validator reads it: strict objects, and nullable in JSON Schema's words. */
function validationView(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(validationView);
  if (node === null || typeof node !== 'object') return node;
  const out: Json = Object.fromEntries(Object.entries(node as Json).map(([key, value]) => [key, validationView(value)]));
  // A documented object says every member it has (unless it says it is open).
  if (out.type === 'object' && out.properties && out.additionalProperties === undefined) out.additionalProperties = false;
  // OpenAPI 3.0 `nullable` beside allOf (a named schema, or null): Ajv would still hold null to the allOf.
  if (out.nullable === true && out.allOf) {
    const { nullable: _nullable, type: _type, ...schema } = out;
    return { anyOf: [schema, { type: 'null' }] };
  }
  return out;
}

type Ajv = ReturnType<OpenAPIValidator['getAjv']>;
type ValidateFunction = ReturnType<Ajv['compile']>;

const DOCUMENT_ID = 'openapi';
let loaded: Promise<ResponseContract> | undefined;
const PROBLEM_JSON = 'application/problem+json';
const mediaType = (contentType: string | undefined) => (contentType ?? '').split(';')[0].trim().toLowerCase();

export interface ContractResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: unknown;
}

/**
 * openapi-backend routes each request to its operation; the bodies are checked by its Ajv with
 * the whole document added once, so that each schema is compiled once per spec file (its own
 * validateResponse compiles every status of an operation in a fresh Ajv: 1–3 s per operation
 * on a busy machine, in every spec file).
 */
export class ResponseContract {
  private readonly validators = new Map<string, ValidateFunction>();
  private constructor(
    private readonly router: OpenAPIRouter,
    private readonly documented: Document,
    private readonly ajv: Ajv,
  ) {}

  /** Read once per spec file (each has its own module registry), whatever the number of apps it starts. */
  static load(): Promise<ResponseContract> {
    loaded ??= Promise.resolve().then(() => {
      const documented = JSON.parse(readFileSync(COMMITTED_DOCUMENT, 'utf8')) as Document;
      const view = validationView(documented) as Document;
      const router = new OpenAPIRouter({ definition: view, ignoreTrailingSlashes: false });
      const validator = new OpenAPIValidator({ definition: view, router, lazyCompileValidators: true, customizeAjv: (ajv) => addFormats(ajv) });
      const ajv = validator.getAjv(ValidationContext.Response);
      ajv.addSchema(view, DOCUMENT_ID);
      return new ResponseContract(router, documented, ajv);
    });
    return loaded;
  }

  /** Checks one response; a mismatch is returned as one line naming the request. */
  check(method: string, url: string, response: ContractResponse): string | null {
    const { pathname, searchParams } = new URL(url, 'http://service');
    let failure: string | null;
    try {
      failure = this.mismatch(method.toLowerCase(), pathname, Object.fromEntries(searchParams), response);
    } catch (error) {
      failure = `the check failed: ${error instanceof Error ? error.message : String(error)}`;
    }
    return failure === null ? null : `${method.toUpperCase()} ${pathname} → ${response.status}: ${failure}`;
  }

  private mismatch(method: string, path: string, query: Record<string, string>, response: ContractResponse): string | null {
    // An empty path segment (an id left empty) still names the operation, whose parameter check refuses it.
    const operation = this.router.matchOperation({ method, path: path.replace(/\/(?=\/)/g, '/-'), headers: {}, query });
    if (!operation) {
      if (UNDOCUMENTED.some((pattern) => pattern.test(path))) return null;
      // A path no operation has: refused with a problem (404 for a route the service does not have either), never answered.
      if (response.status >= 400 && response.status < 500 && mediaType(response.headers['content-type']) === PROBLEM_JSON) return null;
      return 'no operation of the document matches this request';
    }
    const at = ['paths', operation.path, method, 'responses'];
    const responses = this.node(at) as Json;
    const status = [String(response.status), `${String(response.status)[0]}XX`, 'default'].find((key) => key in responses);
    if (!status) return `${operation.operationId} does not document status ${response.status} (documents ${Object.keys(responses).join(', ')})`;
    const declared = this.follow([...at, status]);
    const content = this.node([...declared, 'content']) as Json | undefined;
    const type = mediaType(response.headers['content-type']);
    if (!content) return type ? `${operation.operationId} ${response.status} documents no body, got ${type}` : null;
    if (!(type in content)) return `${operation.operationId} ${response.status}: media type ${type || 'none'} is not documented (${Object.keys(content).join(', ')})`;
    if (!/[/+]json$/.test(type)) return null;
    const validate = this.validator([...declared, 'content', type, 'schema']);
    if (validate(response.body)) return null;
    return `${operation.operationId} ${response.status}: ${(validate.errors ?? []).map((e) => `${e.instancePath || '(body)'} ${e.message}${'additionalProperty' in e.params ? ` '${e.params.additionalProperty}'` : ''}`).join('; ')}`;
  }

  private validator(at: string[]): ValidateFunction {
    const pointer = `${DOCUMENT_ID}#/${at.map((key) => key.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
    let validate = this.validators.get(pointer);
    if (!validate) {
      validate = this.ajv.compile({ $ref: pointer });
      this.validators.set(pointer, validate);
    }
    return validate;
  }

  private node(at: readonly string[]): unknown {
    return at.reduce((node: unknown, key) => (node as Json | undefined)?.[key], this.documented);
  }

  /** The path of the object at `at`, through its $ref if it is one. */
  private follow(at: string[]): string[] {
    const ref = (this.node(at) as { $ref?: string }).$ref;
    return ref ? this.follow(ref.slice(2).split('/')) : at;
  }
}
