/**
 * An instant as the audit endpoints and the replay tool accept it: ISO 8601 date and time with
 * an offset (`Z` or `±hh:mm`), seconds and fractions optional; a date that is not in the
 * calendar (30 February, hour 24) is refused rather than rolled over as `Date.parse` would.
 * Answers the instant in one form (UTC, milliseconds), or null.
 */
const INSTANT = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(?:Z|[+-](\d{2}):(\d{2}))$/;

const daysIn = (year: number, month: number) =>
  month === 2 ? (year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;

export const parseInstant = (text: string): string | null => {
  const match = INSTANT.exec(text);
  if (!match) return null;
  const part = (i: number) => (match[i] === undefined ? 0 : Number(match[i]));
  const [year, month, day, hour, minute, second, offsetHours, offsetMinutes] = [1, 2, 3, 4, 5, 6, 8, 9].map(part);
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return null;
  // Beyond milliseconds the fraction is cut: stored times have milliseconds.
  const ms = Date.parse(text.replace(/(\.\d{3})\d+/, '$1'));
  return Number.isFinite(ms) ? new Date(ms).toISOString() : null;
};
