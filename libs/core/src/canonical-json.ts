import canonicalize from 'canonicalize';

/**
 * The RFC 8785 JSON Canonicalization Scheme (JCS) form of a JSON value, by the `canonicalize`
 * package (written by two of the RFC's authors): object members sorted by their UTF-16 code
 * units, no whitespace, numbers and strings serialised as ECMAScript's JSON.stringify does.
 * What is hashed or signed (the export's lines and manifest, the streams' hash chains) is this
 * form, so anyone can reproduce it with any JCS implementation.
 *
 * The value must be plain JSON (what JSON.parse gives back): NaN and Infinity throw, and a
 * member whose value is undefined is left out, as JSON.stringify leaves it out.
 */
export const canonicalJson = (value: unknown): string => {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('canonicalJson: the value has no JSON form (undefined, a function or a symbol)');
  return text;
};
