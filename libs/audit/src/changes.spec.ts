import { changesBetween } from './changes';

describe('the changes between two folded states', () => {
  it('lists each field whose value differs, with its value before and after', () => {
    expect(changesBetween({ status: 'created', application: 'x', completedAt: null }, { status: 'approved_rae', application: 'x', completedAt: '2026-01-02T00:00:00.000Z' })).toEqual([
      { field: 'status', from: 'created', to: 'approved_rae' },
      { field: 'completedAt', from: null, to: '2026-01-02T00:00:00.000Z' },
    ]);
  });

  it('names nested fields with dots and list elements by index', () => {
    const before = { decision: { by: { email: 'a@x.org' } }, rights: [{ permissionLevel: 'recorder' }] };
    const after = { decision: { by: { email: 'b@x.org' } }, rights: [{ permissionLevel: 'recorder' }, { permissionLevel: 'administrator' }] };
    expect(changesBetween(before, after)).toEqual([
      { field: 'decision.by.email', from: 'a@x.org', to: 'b@x.org' },
      { field: 'rights[1]', from: null, to: { permissionLevel: 'administrator' } },
    ]);
  });

  it('quotes keys that are not plain names, as JSON strings in brackets', () => {
    expect(changesBetween({ links: {} }, { links: { 'wf\u001fpro': { status: 'active' } } })).toEqual([{ field: 'links["wf\\u001fpro"]', from: null, to: { status: 'active' } }]);
    expect(changesBetween({ links: { 'wf\u001fpro': { status: 'active' } } }, { links: { 'wf\u001fpro': { status: 'withdrawn' } } })).toEqual([
      { field: 'links["wf\\u001fpro"].status', from: 'active', to: 'withdrawn' },
    ]);
  });

  it('reports a whole value where an object meets a plain value or nothing, and treats absent and null alike', () => {
    expect(changesBetween({ status: 'none' }, { status: 'created', requester: { id: 's', email: 'r@x.org' }, justification: null })).toEqual([
      { field: 'status', from: 'none', to: 'created' },
      { field: 'requester', from: null, to: { id: 's', email: 'r@x.org' } },
    ]);
    expect(changesBetween({ decision: null }, { decision: { by: null } })).toEqual([{ field: 'decision', from: null, to: { by: null } }]);
  });

  it('finds nothing between equal states, even when they are different objects', () => {
    expect(changesBetween({ a: [1, { b: 'c' }], d: null }, { a: [1, { b: 'c' }] })).toEqual([]);
  });
});
