import { parseInstant } from './instant';

describe('an instant as the audit endpoints take it', () => {
  it.each([
    ['2026-05-01T09:00:00.000Z', '2026-05-01T09:00:00.000Z'],
    ['2026-05-01T09:00Z', '2026-05-01T09:00:00.000Z'],
    ['2026-05-01T11:30:15+02:00', '2026-05-01T09:30:15.000Z'],
    ['2026-05-01T09:00:00.123456789Z', '2026-05-01T09:00:00.123Z'],
    ['2024-02-29T00:00:00Z', '2024-02-29T00:00:00.000Z'],
  ])('reads %s as %s', (text, expected) => {
    expect(parseInstant(text)).toBe(expected);
  });

  it.each(['2026-02-30T00:00:00Z', '2025-02-29T00:00:00Z', '2026-01-01T24:00:00Z', '2026-13-01T00:00:00Z', '2026-01-01T10:00:00', '2026-01-01', 'yesterday', '', '1767225600000', '2026-01-01T10:00:60Z'])(
    'refuses %j',
    (text) => {
      expect(parseInstant(text)).toBeNull();
    },
  );
});
