import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { canonicalJson } from './canonical-json';

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
