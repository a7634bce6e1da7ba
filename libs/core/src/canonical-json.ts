import canonicalize from 'canonicalize';

/**
 * The RFC 8785 JSON Canonicalization Scheme (JCS) form of a JSON value, by the `canonicalize`
 * package (written by two of the RFC's authors): object members sorted by their UTF-16 code
 * units, no whitespace, numbers and strings serialised as ECMAScript's JSON.stringify does.
 * What is hashed or signed (the export's lines and manifest, the streams' hash chains) is this
 * form, so anyone can reproduce it with any JCS implementation.
 *
 * One shortcut, for speed (the export and the verifier canonicalise every event): a value whose
 * objects already list their members in canonical order — plain objects only, no toJSON, only
 * strings, finite numbers, booleans and null inside — is what JSON.stringify writes, member for
 * member, so V8's native JSON.stringify gives it. The store writes events in that order (sorted
 * keys), so JSON.parse gives them back in it. Other plain JSON is first copied with its members
 * sorted, and the copy, if it is in canonical order (it is not when integer-like keys, which V8
 * always lists first, are involved), takes the same path. Anything else goes to `canonicalize`.
 * The spec checks the result equals the package's on arbitrary JSON, in order and not.
 *
 * The value must be plain JSON (what JSON.parse gives back): NaN and Infinity throw, and a
 * member whose value is undefined is left out, as JSON.stringify leaves it out.
 */
export const canonicalJson = (value: unknown): string => {
  if (inCanonicalOrder(value)) return JSON.stringify(value);
  const sorted = sortedCopy(value);
  if (sorted !== NOT_PLAIN && inCanonicalOrder(sorted)) return JSON.stringify(sorted);
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('canonicalJson: the value has no JSON form (undefined, a function or a symbol)');
  return text;
};

const NOT_PLAIN = Symbol('not plain JSON');

const isPlainObject = (value: object): boolean => {
  const prototype = Object.getPrototypeOf(value);
  return (prototype === Object.prototype || prototype === null) && typeof (value as { toJSON?: unknown }).toJSON !== 'function';
};

/** A copy of plain JSON with every object's members inserted in sorted order (members whose value is undefined left out, as JCS does), or NOT_PLAIN. */
const sortedCopy = (value: unknown): unknown => {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return Number.isFinite(value) ? value : NOT_PLAIN;
  if (typeof value !== 'object') return NOT_PLAIN;
  if (Array.isArray(value)) {
    const copy = new Array<unknown>(value.length);
    for (let i = 0; i < value.length; i += 1) {
      const item = value[i] === undefined ? NOT_PLAIN : sortedCopy(value[i]);
      if (item === NOT_PLAIN) return NOT_PLAIN;
      copy[i] = item;
    }
    return copy;
  }
  if (!isPlainObject(value)) return NOT_PLAIN;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) {
    const member = (value as Record<string, unknown>)[key];
    if (member === undefined) continue;
    const item = sortedCopy(member);
    if (item === NOT_PLAIN) return NOT_PLAIN;
    copy[key] = item;
  }
  return copy;
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
