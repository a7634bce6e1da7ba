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
 * keys), so JSON.parse gives them back in it. Anything else goes to `canonicalize`. The spec
 * checks the two agree on arbitrary JSON, in order and not.
 *
 * The value must be plain JSON (what JSON.parse gives back): NaN and Infinity throw, and a
 * member whose value is undefined is left out, as JSON.stringify leaves it out.
 */
export const canonicalJson = (value: unknown): string => {
  if (inCanonicalOrder(value)) return JSON.stringify(value);
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('canonicalJson: the value has no JSON form (undefined, a function or a symbol)');
  return text;
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
      const prototype = Object.getPrototypeOf(value);
      if ((prototype !== Object.prototype && prototype !== null) || typeof (value as { toJSON?: unknown }).toJSON === 'function') return false;
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
