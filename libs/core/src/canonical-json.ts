import canonicalize from 'canonicalize';

/**
 * The RFC 8785 JSON Canonicalization Scheme (JCS) form of a JSON value, by the `canonicalize`
 * package (written by two of the RFC's authors): object members sorted by their UTF-16 code
 * units, no whitespace, numbers and strings serialised as ECMAScript's JSON.stringify does.
 * What is hashed or signed (the export's lines and manifest, the streams' hash chains) is this
 * form, so anyone can reproduce it with any JCS implementation.
 *
 * Two shortcuts, for speed (the store canonicalises every event it appends, the export and the
 * verifier every event they read): a value whose objects already list their members in
 * canonical order — plain objects only, no toJSON, only strings, finite numbers, booleans and
 * null inside — is what JSON.stringify writes, member for member, so V8's native JSON.stringify
 * gives it. The store writes events in that order (sorted keys), so JSON.parse gives them back
 * in it. Other plain JSON (what callers build: members in any order) is written here, member by
 * member in sorted order, each string and number by JSON.stringify, which is how JCS writes
 * them. Anything else (toJSON, class instances, undefined inside an array, NaN) goes to
 * `canonicalize`. The spec checks the result equals the package's on arbitrary JSON, in order
 * and not.
 *
 * The value must be plain JSON (what JSON.parse gives back): NaN and Infinity throw, and a
 * member whose value is undefined is left out, as JSON.stringify leaves it out.
 */
export const canonicalJson = (value: unknown): string => {
  if (inCanonicalOrder(value)) return JSON.stringify(value);
  const written = plainCanonical(value);
  if (written !== NOT_PLAIN) return written;
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('canonicalJson: the value has no JSON form (undefined, a function or a symbol)');
  return text;
};

const NOT_PLAIN = Symbol('not plain JSON');

const isPlainObject = (value: object): boolean => {
  const prototype = Object.getPrototypeOf(value);
  return (prototype === Object.prototype || prototype === null) && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
};

/**
 * The canonical text of plain JSON, written member by member in sorted order (Array.prototype.sort
 * compares UTF-16 code units, JCS's order; members whose value is undefined left out, as JCS
 * does), strings and numbers by JSON.stringify (JCS's own rules for both); NOT_PLAIN for anything
 * else, which canonicalize then writes.
 */
const plainCanonical = (value: unknown): string | typeof NOT_PLAIN => {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : NOT_PLAIN;
    case 'object':
      break;
    default:
      return NOT_PLAIN;
  }
  if (Array.isArray(value)) {
    let text = '[';
    for (let i = 0; i < value.length; i += 1) {
      const item = value[i] === undefined ? NOT_PLAIN : plainCanonical(value[i]);
      if (item === NOT_PLAIN) return NOT_PLAIN;
      text += i === 0 ? item : `,${item}`;
    }
    return `${text}]`;
  }
  if (!isPlainObject(value)) return NOT_PLAIN;
  const keys = Object.keys(value).sort();
  let text = '{';
  let first = true;
  for (const key of keys) {
    const member = (value as Record<string, unknown>)[key];
    if (member === undefined) continue;
    const item = plainCanonical(member);
    if (item === NOT_PLAIN) return NOT_PLAIN;
    text += `${first ? '' : ','}${JSON.stringify(key)}:${item}`;
    first = false;
  }
  return `${text}}`;
};

/** Whether JSON.stringify writes exactly the canonical form of the value (see canonicalJson). */
const inCanonicalOrder = (value: unknown): boolean => {
  if (value === null) return true;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(value);
    case 'object': {
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i += 1) if (!inCanonicalOrder(value[i])) return false;
        return true;
      }
      if (!isPlainObject(value)) return false;
      let previous: string | undefined;
      // for…in visits own keys in Object.keys order (integer-like keys first, ascending): any order but the sorted one fails here.
      for (const key in value) {
        if (previous !== undefined && !(previous < key)) return false;
        if (!inCanonicalOrder((value as Record<string, unknown>)[key])) return false;
        previous = key;
      }
      return true;
    }
    default:
      return false;
  }
};

/**
 * Reads JSON text without parsing it into objects, and answers only when the text is exactly
 * the RFC 8785 (JCS) form of the value it denotes, i.e. `canonicalJson(JSON.parse(text)) === text`:
 * no whitespace, object members in strictly increasing UTF-16 order (so no duplicates), numbers
 * as ECMAScript writes them, strings escaped as JSON.stringify escapes them. With that, what is
 * stored as canonical text (the event store writes data and metadata so) can be hashed and
 * written as it is, instead of parsed and serialised again (the audit export).
 *
 * Conservative: `undefined` means "not shown canonical" and the caller takes the exact way
 * (parse, canonicalJson); it is also the answer for some canonical texts this reader does not
 * take apart (a member name with an escape, an escaped lone surrogate, nesting deeper than 64,
 * and `key`'s value being a string with an escape). It is never anything else for a text that is
 * not canonical (the spec checks this against the `canonicalize` package on arbitrary texts).
 *
 * Otherwise: the value of the top-level member `key` when the text is an object and that member
 * is a string (a string without escapes, so its text is its value), else null.
 */
export const canonicalTextMember = (text: string, key: string): string | null | undefined => {
  const reader = new CanonicalTextReader(text, key);
  return reader.value(0) && reader.at === text.length && !reader.keyEscaped ? reader.member : undefined;
};

const MAX_DEPTH = 64;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** Not a string: the result of CanonicalTextReader.string for a string not written as JSON.stringify writes it. */
const NOT_CANONICAL = -1;
/** What makes a string need more than a search for its closing quote. */
const NEEDS_CARE = /[\\\u0000-\u001f\ud800-\udfff]/;
const PLAIN = 0;
const ESCAPED = 1;

/** Whether `\u<hex>` (the four characters at `at`) is how JSON.stringify writes a control character: lower-case hex, below 0x20, one without a letter escape (\b \t \n \f \r). */
const isControlEscape = (text: string, at: number): boolean => {
  if (text.charCodeAt(at) !== 0x30 || text.charCodeAt(at + 1) !== 0x30) return false;
  const high = text.charCodeAt(at + 2);
  const low = text.charCodeAt(at + 3);
  const lowValue = low >= 0x30 && low <= 0x39 ? low - 0x30 : low >= 0x61 && low <= 0x66 ? low - 0x61 + 10 : -1;
  if (lowValue < 0 || (high !== 0x30 && high !== 0x31)) return false;
  const code = (high - 0x30) * 16 + lowValue;
  return code !== 0x08 && code !== 0x09 && code !== 0x0a && code !== 0x0c && code !== 0x0d;
};

/** Whether the character may appear in a JSON number's text (its grammar is then checked by the round trip through Number). */
const isNumberChar = (c: number): boolean => (c >= 0x30 && c <= 0x39) || c === 0x2d || c === 0x2b || c === 0x2e || c === 0x65 || c === 0x45;

/** A single pass over the text, character codes only: nothing is allocated but a number's text. */
class CanonicalTextReader {
  at = 0;
  member: string | null = null;
  /** `key`'s value is a string with an escape: canonical, but its text is not its value. */
  keyEscaped = false;

  /** The text has no backslash, control character or surrogate: its strings end at the next quote (a native search, not a loop here). */
  private readonly plain: boolean;

  constructor(
    private readonly text: string,
    private readonly key: string,
  ) {
    this.plain = !NEEDS_CARE.test(text);
  }

  /** Reads one value at `at`; false when it is not (shown) canonical. */
  value(depth: number): boolean {
    const c = this.text.charCodeAt(this.at);
    if (c === QUOTE) return this.string() !== NOT_CANONICAL;
    if (c === 0x7b) return depth < MAX_DEPTH && this.object(depth + 1);
    if (c === 0x5b) return depth < MAX_DEPTH && this.array(depth + 1);
    if (c === 0x74) return this.literal('true');
    if (c === 0x66) return this.literal('false');
    if (c === 0x6e) return this.literal('null');
    return this.number();
  }

  private literal(word: string): boolean {
    if (!this.text.startsWith(word, this.at)) return false;
    this.at += word.length;
    return true;
  }

  private number(): boolean {
    const text = this.text;
    let end = this.at;
    while (end < text.length && isNumberChar(text.charCodeAt(end))) end += 1;
    const token = text.slice(this.at, end);
    // ECMAScript's own text of the number it denotes, which is what JSON.stringify and JCS write (and valid JSON).
    if (token.length === 0 || String(Number(token)) !== token) return false;
    this.at = end;
    return true;
  }

  /** Reads a string at `at` (its opening quote): PLAIN, ESCAPED (it holds an escape), or NOT_CANONICAL when it is not written as JSON.stringify writes it. */
  private string(): number {
    if (this.plain) {
      const end = this.text.indexOf('"', this.at + 1);
      if (end < 0) return NOT_CANONICAL;
      this.at = end + 1;
      return PLAIN;
    }
    const text = this.text;
    const length = text.length;
    let at = this.at + 1;
    let kind = PLAIN;
    while (at < length) {
      const c = text.charCodeAt(at);
      if (c === QUOTE) {
        this.at = at + 1;
        return kind;
      }
      if (c < 0x20) return NOT_CANONICAL; // a raw control character is not JSON
      if (c === BACKSLASH) {
        const e = text.charCodeAt(at + 1);
        kind = ESCAPED;
        // \" \\ \b \f \n \r \t, or \u00xx for another control character; \/, \u of a printable character, upper-case hex or an escaped surrogate are not what JSON.stringify writes (or not taken apart here).
        if (e === QUOTE || e === BACKSLASH || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) at += 2;
        else if (e === 0x75 && isControlEscape(text, at + 2)) at += 6;
        else return NOT_CANONICAL;
      } else if (c >= 0xd800 && c <= 0xdfff) {
        const low = text.charCodeAt(at + 1);
        if (c > 0xdbff || !(low >= 0xdc00 && low <= 0xdfff)) return NOT_CANONICAL; // a lone surrogate: JSON.stringify escapes it
        at += 2;
      } else at += 1;
    }
    return NOT_CANONICAL;
  }

  /** Whether text[a, aEnd) sorts before text[b, bEnd), by UTF-16 code units (JCS's order of member names). */
  private before(a: number, aEnd: number, b: number, bEnd: number): boolean {
    const text = this.text;
    const common = Math.min(aEnd - a, bEnd - b);
    for (let i = 0; i < common; i += 1) {
      const x = text.charCodeAt(a + i);
      const y = text.charCodeAt(b + i);
      if (x !== y) return x < y;
    }
    return aEnd - a < bEnd - b;
  }

  private object(depth: number): boolean {
    const text = this.text;
    this.at += 1;
    if (text.charCodeAt(this.at) === 0x7d) {
      this.at += 1;
      return true;
    }
    let previous = -1;
    let previousEnd = -1;
    for (;;) {
      if (text.charCodeAt(this.at) !== QUOTE) return false;
      const name = this.at + 1;
      // A member name with an escape is not compared here.
      if (this.string() !== PLAIN) return false;
      const nameEnd = this.at - 1;
      if (previous >= 0 && !this.before(previous, previousEnd, name, nameEnd)) return false;
      previous = name;
      previousEnd = nameEnd;
      if (text.charCodeAt(this.at) !== 0x3a) return false;
      this.at += 1;
      const valueAt = this.at;
      if (!this.value(depth)) return false;
      if (depth === 1 && nameEnd - name === this.key.length && text.startsWith(this.key, name) && text.charCodeAt(valueAt) === QUOTE) {
        const raw = text.slice(valueAt + 1, this.at - 1);
        if (raw.includes('\\')) this.keyEscaped = true;
        else this.member = raw;
      }
      const c = text.charCodeAt(this.at);
      this.at += 1;
      if (c === 0x7d) return true;
      if (c !== 0x2c) return false;
    }
  }

  private array(depth: number): boolean {
    this.at += 1;
    if (this.text.charCodeAt(this.at) === 0x5d) {
      this.at += 1;
      return true;
    }
    for (;;) {
      if (!this.value(depth)) return false;
      const c = this.text.charCodeAt(this.at);
      this.at += 1;
      if (c === 0x5d) return true;
      if (c !== 0x2c) return false;
    }
  }
}
