import { isUtf8 } from 'node:buffer';
import { json } from 'express';
import type { NextFunction, Request, Response } from 'express';
import { BodyParseError } from './problem';

/** No request of ours nests deeper than 2; 32 leaves room and keeps every later walk shallow. */
export const MAX_JSON_DEPTH = 32;
/**
 * Array elements plus object members in a whole body. Our largest request has about 55
 * (an organisation with 50 e-mail domains). class-transformer copies every value of a body,
 * at several microseconds each, before validation can refuse it, and every unknown key becomes
 * one entry of the problem's `errors`: without a bound, 80 kB of `[1,1,…]` cost tens to hundreds
 * of milliseconds of CPU and 80 kB of unknown keys a half-megabyte answer.
 */
export const MAX_JSON_ITEMS = 256;

/** A body refused before it is parsed: `type` and `status` reach the problem filter through BodyParseError. */
export class JsonBodyError extends Error {
  constructor(
    readonly type: 'json.too.deep' | 'json.too.many.items' | 'unicode.malformed' | 'charset.unsupported',
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'JsonBodyError';
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const U = 0x75;

const hexValue = (byte: number): number => {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  const lower = byte | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
};

/** The code unit of `\uXXXX` whose `u` is at `at`, or -1 when the four hex digits are not there. */
const escapedUnit = (bytes: Uint8Array, at: number): number => {
  if (at + 4 >= bytes.length) return -1;
  let unit = 0;
  for (let i = at + 1; i <= at + 4; i += 1) {
    const digit = hexValue(bytes[i]);
    if (digit < 0) return -1;
    unit = unit * 16 + digit;
  }
  return unit;
};

export type JsonTextProblem = 'too-deep' | 'too-many-items' | 'lone-surrogate';

/**
 * One pass over UTF-8 JSON text, before JSON.parse builds anything: nesting depth (brackets
 * outside strings), items (commas and opening brackets outside strings: exactly the elements
 * and members of non-empty arrays and objects, one more per empty one) and lone surrogates (the only way to write one in valid UTF-8 is a `\uD8xx`
 * escape without its partner, in a key or a value). Text that is not valid JSON may pass:
 * JSON.parse refuses it next. Bytes of multi-byte UTF-8 sequences are all >= 0x80, so they
 * never look like a bracket, a quote or a backslash.
 */
export function scanJsonText(bytes: Uint8Array, maxDepth = MAX_JSON_DEPTH, maxItems = MAX_JSON_ITEMS): JsonTextProblem | null {
  let depth = 0;
  let items = 0;
  let inString = false;
  /** A high surrogate escape was just read: the next thing in the string must be a low surrogate escape. */
  let pendingHigh = false;
  for (let i = 0; i < bytes.length; i += 1) {
    const byte = bytes[i];
    if (!inString) {
      if (byte === 0x5b || byte === 0x7b) {
        depth += 1;
        if (depth > maxDepth) return 'too-deep';
        items += 1;
        if (items > maxItems) return 'too-many-items';
      } else if (byte === 0x2c) {
        items += 1;
        if (items > maxItems) return 'too-many-items';
      } else if (byte === 0x5d || byte === 0x7d) depth -= 1;
      else if (byte === QUOTE) inString = true;
      continue;
    }
    if (byte === BACKSLASH && bytes[i + 1] === U) {
      const unit = escapedUnit(bytes, i + 1);
      if (unit >= 0xdc00 && unit <= 0xdfff) {
        if (!pendingHigh) return 'lone-surrogate';
        pendingHigh = false;
      } else if (pendingHigh) return 'lone-surrogate';
      else pendingHigh = unit >= 0xd800 && unit <= 0xdbff;
      i += unit >= 0 ? 5 : 1;
      continue;
    }
    if (pendingHigh) return 'lone-surrogate';
    if (byte === BACKSLASH) i += 1;
    else if (byte === QUOTE) inString = false;
  }
  return pendingHigh ? 'lone-surrogate' : null;
}

/**
 * Runs before the body is decoded and parsed (body-parser's `verify`). JSON is UTF-8 (RFC 8259
 * §8.1): another charset would hide brackets and escapes from the scan (UTF-7 can spell `{` as
 * `+AHs-`), so it is refused.
 */
const verify = (_request: unknown, _response: unknown, body: Buffer, encoding: string | null) => {
  if (encoding !== 'utf-8') throw new JsonBodyError('charset.unsupported', 415, `JSON bodies must be encoded in UTF-8 (got charset ${encoding}).`);
  if (!isUtf8(body)) throw new JsonBodyError('unicode.malformed', 400, 'The request body is not valid UTF-8.');
  const problem = scanJsonText(body);
  if (problem === 'too-deep') throw new JsonBodyError('json.too.deep', 400, `The request body is nested deeper than ${MAX_JSON_DEPTH} levels of arrays and objects.`);
  if (problem === 'too-many-items') {
    throw new JsonBodyError('json.too.many.items', 400, `The request body has more than ${MAX_JSON_ITEMS} array elements and object members in all.`);
  }
  if (problem === 'lone-surrogate') {
    throw new JsonBodyError('unicode.malformed', 400, 'The request body contains a lone surrogate (a \\uD800–\\uDFFF escape without its pair): it is not text.');
  }
};

/**
 * JSON bodies up to the configured size, checked for depth and Unicode before parsing. Parser
 * errors are wrapped so they reach the problem filter with their kind (malformed, too large,
 * too deep…) rather than as a bare SyntaxError message.
 */
export const jsonBody = (limit: string) => {
  const parse = json({ limit, type: ['application/json', 'application/*+json'], verify });
  return (request: Request, response: Response, next: NextFunction) =>
    parse(request, response, (error?: unknown) => next(error ? new BodyParseError(error) : undefined));
};
