import { Transform } from 'class-transformer';
import { ValidateBy, ValidationArguments } from 'class-validator';

export interface SafeTextOptions {
  /** Reasons, justifications, comments: line breaks and tabs are allowed (CRLF and CR become LF). */
  readonly multiline?: boolean;
}

/** Every C0 and C1 control and DEL (general category Cc). */
const CONTROL = /\p{Cc}/u;
/** Controls allowed in multi-line text, once line ends are LF. */
const CONTROL_BUT_TAB_AND_LF = /(?![\t\n])\p{Cc}/u;
/**
 * Embeddings, overrides (U+202A–U+202E) and isolates (U+2066–U+2069): they reorder what is
 * displayed ("Trojan source"). The marks U+200E, U+200F and U+061C are allowed: right-to-left
 * writers need them, and on their own they can only move neutral characters.
 */
const BIDI_CONTROL = /[\u202A-\u202E\u2066-\u2069]/u;
/** Tag characters (U+E0000–U+E007F, invisible text smuggled beside visible text) and noncharacters (U+FFFE, U+FFFF, …). */
const HIDDEN = /[\u{E0000}-\u{E007F}\p{Noncharacter_Code_Point}]/u;
/** A half of a surrogate pair on its own (the body check refuses these first; kept for any other way in). */
const LONE_SURROGATE = /\p{Cs}/u;
/**
 * Text that shows nothing: whitespace, format characters (zero-width joiners, BOM…), other
 * default-ignorable characters (Hangul fillers…) and the blank Braille pattern.
 */
const INVISIBLE_ONLY = /^[\p{White_Space}\p{Cf}\p{Default_Ignorable_Code_Point}\u2800]+$/u;

/** What the transform stores: NFC, and in multi-line text LF line ends. Anything not a string is left to the type checks. */
export const normaliseText = (value: unknown, options: SafeTextOptions = {}): unknown => {
  if (typeof value !== 'string') return value;
  const nfc = value.normalize('NFC');
  return options.multiline ? nfc.replace(/\r\n?/g, '\n') : nfc;
};

/** Why `value` is not safe text, as the end of a sentence starting with the field name; null when it is. */
export const unsafeTextReason = (value: unknown, options: SafeTextOptions = {}): string | null => {
  if (typeof value !== 'string') return null;
  if (LONE_SURROGATE.test(value)) return 'must be well-formed Unicode (it contains a lone surrogate)';
  if ((options.multiline ? CONTROL_BUT_TAB_AND_LF : CONTROL).test(value)) {
    return options.multiline
      ? 'must not contain control characters other than line breaks and tabs'
      : 'must not contain control characters (line breaks and tabs included)';
  }
  if (HIDDEN.test(value)) return 'must not contain tag characters or noncharacters';
  if (BIDI_CONTROL.test(value)) return 'must not contain bidirectional control characters (U+202A–U+202E, U+2066–U+2069)';
  if (INVISIBLE_ONLY.test(value)) return 'must contain visible characters, not only spaces or invisible ones';
  return null;
};

/**
 * Free text from a client: normalised to NFC (so the same name typed two ways is one name, and
 * lengths are counted on what is stored), then refused with a message naming the field when it
 * holds control characters, bidirectional overrides or isolates, a lone surrogate, or nothing
 * visible. The empty string is left to the field's length rule. Use beside `@IsString()`.
 */
export function SafeText(options: SafeTextOptions = {}): PropertyDecorator {
  const transform = Transform(({ value }) => normaliseText(value, options));
  const validate = ValidateBy({
    name: options.multiline ? 'safeMultilineText' : 'safeText',
    validator: {
      validate: (value: unknown) => unsafeTextReason(value, options) === null,
      defaultMessage: (args?: ValidationArguments) => `${args?.property ?? 'value'} ${unsafeTextReason(args?.value, options) ?? 'must be safe text'}`,
    },
  });
  return (target: object, propertyKey: string | symbol) => {
    transform(target, propertyKey);
    validate(target, propertyKey);
  };
}
