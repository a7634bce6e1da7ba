import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { canonicalJson, canonicalTextMember } from './canonical-json';

/** The examples of RFC 8785 (JSON Canonicalization Scheme), so the form is JCS and not merely "sorted keys". */
describe('canonicalJson (RFC 8785)', () => {
  it('serialises the example of section 3.2.2: literals, numbers and string escapes', () => {
    const input = JSON.parse(String.raw`{
      "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
      "literals": [null, true, false]
    }`);
    expect(canonicalJson(input)).toBe(String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`);
  });

  it('sorts members by UTF-16 code units, as in section 3.2.3', () => {
    const input = JSON.parse(String.raw`{
      "\u20ac": "Euro Sign",
      "\r": "Carriage Return",
      "\ufb33": "Hebrew Letter Dalet With Dagesh",
      "1": "One",
      "\ud83d\ude00": "Emoji: Grinning Face",
      "\u0080": "Control",
      "\u00f6": "Latin Small Letter O With Diaeresis"
    }`);
    expect(canonicalJson(input)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis","\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  // Appendix B: IEEE 754 doubles (as hex) and their canonical text.
  it.each([
    ['0000000000000000', '0'],
    ['8000000000000000', '0'],
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'],
  ])('serialises the double 0x%s as %s (appendix B)', (hex, text) => {
    const view = new DataView(new ArrayBuffer(8));
    view.setBigUint64(0, BigInt(`0x${hex}`));
    expect(canonicalJson([view.getFloat64(0)])).toBe(`[${text}]`);
  });

  it('refuses what JSON cannot carry: NaN, Infinity (appendix B), no value at all', () => {
    expect(() => canonicalJson({ n: NaN })).toThrow();
    expect(() => canonicalJson([Infinity])).toThrow();
    expect(() => canonicalJson(undefined)).toThrow(/no JSON form/);
  });

  it('leaves out members whose value is undefined, as the JSON text of the object would', () => {
    expect(canonicalJson({ b: 1, a: undefined, c: [undefined] })).toBe('{"b":1,"c":[null]}');
  });
});

describe('canonicalJson and the canonicalize package', () => {
  // The shortcut (JSON.stringify for values already in canonical order) must never change the result.
  it('agree on arbitrary JSON, whether its members come in canonical order or not', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const reference = canonicalize(value);
        expect(canonicalJson(value)).toBe(reference);
        // The same value with its members in canonical order (as the store writes events).
        expect(canonicalJson(JSON.parse(reference!))).toBe(reference);
      }),
      { numRuns: 2000 },
    );
  });

  it('agree where JSON.stringify alone would not: integer-like keys, undefined members, toJSON', () => {
    for (const value of [{ '10': 1, '9': 2, a: 3 }, { a: undefined, b: [undefined, 1] }, { at: new Date(0) }, { b: 1, a: { d: 1, c: 2 } }, Object.assign(Object.create(null), { b: 1, a: 2 })]) {
      expect(canonicalJson(value)).toBe(canonicalize(value));
    }
  });
});

describe('canonicalTextMember: JSON text that is already canonical, read without parsing it', () => {
  /** What the text is, by the package: its canonical form when it is JSON, else null. */
  const reference = (text: string): string | null => {
    try {
      return canonicalize(JSON.parse(text)) ?? null;
    } catch {
      return null;
    }
  };
  /** Whatever the reader answers about a text, it answers nothing but `undefined` unless the text is its own canonical form. */
  const neverWrong = (text: string, key = 'k') => {
    const answer = canonicalTextMember(text, key);
    if (answer === undefined) return;
    expect(reference(text)).toBe(text);
    const parsed = JSON.parse(text) as unknown;
    const member = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>)[key] : undefined;
    expect(answer).toBe(typeof member === 'string' ? member : null);
  };

  it('takes canonical text as it is and gives the top-level string member asked for', () => {
    const text = canonicalJson({ organisationId: 'org-1', n: [1, 2.5, -3e-7, 1e21], nested: { organisationId: 'not this one', ok: true, no: null }, s: 'line\nbreak, "quoted", \u0001, €, 😀' });
    expect(canonicalTextMember(text, 'organisationId')).toBe('org-1');
    expect(canonicalTextMember(text, 'absent')).toBeNull();
    expect(canonicalTextMember(text, 'n')).toBeNull();
    expect(canonicalTextMember('[1,{"a":"b"}]', 'a')).toBeNull();
    expect(canonicalTextMember('"text"', 'a')).toBeNull();
  });

  it.each([
    ['whitespace', '{"a": 1}'],
    ['members out of order', '{"b":1,"a":2}'],
    ['a member twice', '{"a":1,"a":1}'],
    ['a number not as ECMAScript writes it', '{"a":1.0}'],
    ['an exponent not as ECMAScript writes it', '{"a":1E+30}'],
    ['minus zero', '[-0]'],
    ['an integer beyond double precision', '[12345678901234567890123]'],
    ['an escaped solidus', '["a\\/b"]'],
    ['an escaped printable character', '["\\u0041"]'],
    ['a control character in upper-case hex', '["\\u001F"]'],
    ['a control character escaped by number that has a letter', '["\\u000a"]'],
    ['a raw control character', '["a\u0001b"]'],
    ['a lone surrogate', '["\ud800"]'],
    ['trailing text', '{"a":1}x'],
    ['a truncated text', '{"a":[1,2'],
    ['not JSON at all', 'undefined'],
    ['an empty text', ''],
  ])('does not take text with %s', (_, text) => {
    expect(canonicalTextMember(text, 'a')).toBeUndefined();
  });

  it('leaves to the exact way a string member whose text is not its value (it has an escape)', () => {
    expect(reference('{"k":"a\\"b"}')).toBe('{"k":"a\\"b"}');
    expect(canonicalTextMember('{"k":"a\\"b"}', 'k')).toBeUndefined();
    expect(canonicalTextMember('{"k":"a\\"b"}', 'other')).toBeNull();
  });

  /** Whether the reader takes the value's canonical text apart: no member name and no `k` with an escape, no lone surrogate. */
  const readable = (value: unknown, top = true): boolean => {
    const plain = (text: string) => !/["\\\u0000-\u001f]/.test(text);
    if (typeof value === 'string') return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(value);
    if (Array.isArray(value)) return value.every((item) => readable(item, false));
    if (typeof value !== 'object' || value === null) return true;
    return Object.entries(value).every(([key, member]) => plain(key) && readable(member, false) && !(top && key === 'k' && typeof member === 'string' && !plain(member)));
  };

  it('takes the canonical form of arbitrary JSON, as the package writes it', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (value) => {
        const text = canonicalize(value)!;
        neverWrong(text);
        // Member names with escapes and escaped lone surrogates are left to the exact way; everything else is read.
        if (readable(value)) expect(canonicalTextMember(text, 'k')).not.toBeUndefined();
      }),
      { numRuns: 2000 },
    );
  }, 30_000);

  it('is never wrong about arbitrary text: JSON in any order and spacing, and strings of JSON characters', () => {
    const jsonish = fc.string({ unit: fc.constantFrom(...'{}[]":,.-+eE0123456789 tfnrulase\\/ku\u0001\ud800\udc00'.split('')), maxLength: 40 });
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), fc.constantFrom(0, 1), jsonish, (value, indent, noise) => {
        neverWrong(JSON.stringify(value, null, indent));
        neverWrong(JSON.stringify(value));
        neverWrong(noise);
        neverWrong(`{"k":${noise}}`);
        neverWrong(`{"k":"${noise}"}`);
      }),
      { numRuns: 2000 },
    );
  }, 30_000);
});
