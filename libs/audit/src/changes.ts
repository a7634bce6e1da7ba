/**
 * What an event changed: the fields whose value differs between the state folded before it and
 * the state folded after it (the same `evolve` the live system uses).
 *
 * How fields are named (docs/api.md, "Audit"):
 * - a field of an object: its name, nested ones joined by dots (`decision.by.email`);
 * - an element of a list: its index in brackets (`rights[1].permissionLevel`, `grants[0].status`);
 * - a key that is not a plain name (letters, digits, `_`, `-`) in brackets as a JSON string
 *   (`links["<workflowId>\u001f<professionalId>"].status`);
 * - the changes are reported at the deepest level where both sides are objects (or both lists):
 *   where one side has an object and the other a plain value or none, the whole value is the
 *   change (`requester` from null to `{ id, email, name }` when a request is created);
 * - a field that is absent and a field that is null both have no value, reported as `null`, so
 *   neither is a change from one to the other.
 */
export interface Change {
  readonly field: string;
  readonly from: unknown;
  readonly to: unknown;
}

const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const valueOf = (value: unknown): unknown => (value === undefined ? null : value);

const fieldOf = (path: string, key: string): string => (PLAIN_KEY.test(key) ? (path === '' ? key : `${path}.${key}`) : `${path}[${JSON.stringify(key)}]`);

function collect(path: string, before: unknown, after: unknown, out: Change[]): void {
  if (before === after) return;
  if (Array.isArray(before) && Array.isArray(after)) {
    for (let i = 0; i < Math.max(before.length, after.length); i += 1) collect(`${path}[${i}]`, before[i], after[i], out);
    return;
  }
  if (isRecord(before) && isRecord(after)) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    for (const key of keys) collect(fieldOf(path, key), before[key], after[key], out);
    return;
  }
  const from = valueOf(before);
  const to = valueOf(after);
  if (from === to) return;
  out.push({ field: path === '' ? '(state)' : path, from, to });
}

/** The fields that differ between two folded states, in the order of the state's own fields. */
export const changesBetween = (before: unknown, after: unknown): Change[] => {
  const out: Change[] = [];
  collect('', before, after, out);
  return out;
};
