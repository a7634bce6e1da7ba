import Database from 'better-sqlite3';
import { CollectionSpec, Condition, FindQuery, Scalar, searchKey } from '@access-ledger/read-store';

/**
 * The baseline of `npm run bench:queries`: `SqliteReadStore.find` as it was before keyset
 * paging and bounded counts (commit 746eaa4), reduced to the read path and run on its own
 * connection with that adapter's settings (default page cache). Offsets step over every
 * skipped row with its document, a search's matches are all sorted, totals are counted exactly.
 */
const MAX_CHAR = '\u{10FFFF}';
const table = (collection: string) => `rm_${collection}`;
const fieldColumn = (field: string) => `f_${field}`;
const searchColumn = (field: string) => `s_${field}`;
const bindable = (value: Scalar): string | number | null => (typeof value === 'boolean' ? (value ? 1 : 0) : value);

export class LegacyFind {
  private readonly db: Database.Database;
  private readonly specs = new Map<string, CollectionSpec>();

  constructor(file: string) {
    this.db = new Database(file, { readonly: true });
  }

  private spec(collection: string): CollectionSpec {
    let spec = this.specs.get(collection);
    if (!spec) {
      spec = JSON.parse(this.db.prepare('SELECT spec FROM _collections WHERE name = ?').pluck().get(collection) as string) as CollectionSpec;
      this.specs.set(collection, spec);
    }
    return spec;
  }

  private column(spec: CollectionSpec, field: string, forSort = false): string {
    if (field === 'id') return 'id';
    if ((spec.searchable ?? []).includes(field) && (forSort || !spec.fields.includes(field))) return searchColumn(field);
    return fieldColumn(field);
  }

  private conditions(spec: CollectionSpec, where: FindQuery['where']): { clauses: string[]; params: unknown[] } {
    const clauses: string[] = [];
    const params: unknown[] = [];
    for (const [field, condition] of Object.entries(where ?? {}) as [string, Condition][]) {
      const column = this.column(spec, field);
      if (condition !== null && typeof condition === 'object') {
        clauses.push(`${column} IN (${condition.in.map(() => '?').join(', ')})`);
        params.push(...condition.in.map(bindable));
      } else {
        clauses.push(`${column} = ?`);
        params.push(bindable(condition));
      }
    }
    return { clauses, params };
  }

  private whereClause(spec: CollectionSpec, where: FindQuery['where'], search: FindQuery['search']): { sql: string; params: unknown[] } {
    const { clauses, params } = this.conditions(spec, where);
    const prefix = searchKey(search?.prefix ?? '') ?? '';
    if (!search || prefix === '') return { sql: clauses.length ? `WHERE ${clauses.join(' AND ')}` : '', params };
    const alternatives: string[] = [];
    const all: unknown[] = [];
    for (const field of search.fields) {
      const column = searchColumn(field);
      alternatives.push(`(${[...clauses, `${column} >= ?`, `${column} < ?`].join(' AND ')})`);
      all.push(...params, prefix, prefix + MAX_CHAR);
    }
    return { sql: `WHERE ${alternatives.join(' OR ')}`, params: all };
  }

  private splitIn(spec: CollectionSpec, where: FindQuery['where']): { sql: string; params: unknown[] }[] | null {
    const entries = Object.entries(where ?? {}) as [string, Condition][];
    const ins = entries.filter(([, c]) => c !== null && typeof c === 'object');
    if (ins.length !== 1) return null;
    const [field, condition] = ins[0] as [string, { in: readonly Scalar[] }];
    if (condition.in.length < 2 || condition.in.length > 16) return null;
    return [...new Set(condition.in)].map((value) => {
      const { clauses, params } = this.conditions(spec, Object.fromEntries(entries.map(([f, c]) => [f, f === field ? value : c])));
      return { sql: clauses.join(' AND '), params };
    });
  }

  find(collection: string, query: FindQuery = {}): { items: unknown[]; total: number } {
    const spec = this.spec(collection);
    const name = table(collection);
    const page = Math.max(1, Math.floor(query.page ?? 1));
    const pageSize = Math.max(1, Math.floor(query.pageSize ?? 25));
    const sort = query.sort ?? [];
    const tie = sort.length > 0 && sort[sort.length - 1].direction === 'desc' ? 'DESC' : 'ASC';
    const orderBy = [...sort.map((s) => `${this.column(spec, s.field, true)} ${s.direction === 'desc' ? 'DESC' : 'ASC'}`), `id ${tie}`].join(', ');
    const offset = (page - 1) * pageSize;
    const { sql, params } = this.whereClause(spec, query.where, query.search);
    const split = !query.search?.prefix && sort.length > 0 ? this.splitIn(spec, query.where) : null;
    let docs: string[];
    if (split) {
      const columns = ['id', 'doc', ...new Set(sort.map((s) => this.column(spec, s.field, true)))];
      const parts = split.map((part) => `SELECT * FROM (SELECT ${columns.join(', ')} FROM ${name} WHERE ${part.sql} ORDER BY ${orderBy} LIMIT ?)`);
      docs = this.db
        .prepare(`SELECT doc FROM (${parts.join(' UNION ALL ')}) ORDER BY ${orderBy} LIMIT ? OFFSET ?`)
        .pluck()
        .all(...split.flatMap((part) => [...part.params, offset + pageSize]), pageSize, offset) as string[];
    } else {
      docs = this.db.prepare(`SELECT doc FROM ${name} ${sql} ORDER BY ${orderBy} LIMIT ? OFFSET ?`).pluck().all(...params, pageSize, offset) as string[];
    }
    const total = query.skipTotal ? -1 : (this.db.prepare(`SELECT count(*) FROM ${name} ${sql}`).pluck().get(...params) as number);
    return { items: docs.map((doc) => JSON.parse(doc)), total };
  }

  close(): void {
    this.db.close();
  }
}
