import fc from 'fast-check';
import { scanJsonText } from './json-body';

/** What JSON.parse makes of the text, measured the slow, obvious way. */
const measure = (value: unknown) => {
  let depth = 0;
  let items = 0;
  let loneSurrogate = false;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, level] = stack.pop()!;
    if (typeof node === 'string') loneSurrogate ||= /\p{Cs}/u.test(node);
    if (node === null || typeof node !== 'object') continue;
    depth = Math.max(depth, level);
    const entries = Array.isArray(node) ? node.map((v) => ['', v] as const) : Object.entries(node);
    items += Math.max(1, entries.length);
    for (const [key, child] of entries) {
      loneSurrogate ||= /\p{Cs}/u.test(key);
      stack.push([child, level + 1]);
    }
  }
  return { depth, items, loneSurrogate };
};

/** Any UTF-16 code unit, lone surrogates and JSON's special characters included. */
const unit = fc.oneof(
  fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  fc.constantFrom('"', '\\', '[', ']', '{', '}', ',', 'u', '\ud83c\udf3f', '\ud800', '\udc00'),
);
const text = fc.string({ unit, maxLength: 8 });
const json = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small' }, text, fc.integer(), fc.constant(null), tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(text, tie('value'), { maxKeys: 4 }),
})).value;

/** Every non-ASCII character as a \u escape: only strings hold them, so the text stays valid JSON. */
const escapeNonAscii = (s: string) => s.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

describe('scanJsonText', () => {
  it('finds exactly the bodies that are too deep, have too many items or hold a lone surrogate', () => {
    fc.assert(
      fc.property(json, fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 40 }), fc.boolean(), fc.constantFrom(undefined, 1, '\t'), (value, maxDepth, maxItems, escape, indent) => {
        const serialised = JSON.stringify(value, null, indent);
        const source = escape ? escapeNonAscii(serialised) : serialised;
        expect(JSON.parse(source)).toEqual(value);
        const { depth, items, loneSurrogate } = measure(value);
        const expected = [...(depth > maxDepth ? ['too-deep'] : []), ...(items > maxItems ? ['too-many-items'] : []), ...(loneSurrogate ? ['lone-surrogate'] : [])];
        const found = scanJsonText(Buffer.from(source, 'utf8'), maxDepth, maxItems);
        if (expected.length === 0) expect(found).toBeNull();
        else expect(expected).toContain(found);
      }),
      { numRuns: 1000 },
    );
  });

  it('stops at the first bracket over the limit, whatever follows', () => {
    expect(scanJsonText(Buffer.from(`${'['.repeat(33)}`), 32)).toBe('too-deep');
    expect(scanJsonText(Buffer.from(`${'['.repeat(32)}${']'.repeat(32)}`), 32)).toBeNull();
  });

  it('reads escaped quotes and backslashes as text', () => {
    expect(scanJsonText(Buffer.from(String.raw`{"a":"\"[[[\\","b":"\\\ud800"}`), 2)).toBe('lone-surrogate');
    expect(scanJsonText(Buffer.from(String.raw`{"a":"\\ud800"}`), 2)).toBeNull();
    expect(scanJsonText(Buffer.from(String.raw`{"a":"\ud800\n\udc00"}`), 2)).toBe('lone-surrogate');
  });
});
