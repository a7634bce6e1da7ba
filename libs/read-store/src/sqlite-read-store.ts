import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import {
  ApplyOptions,
  Change,
  CheckpointMovedError,
  CollectionReplacedError,
  CollectionSpec,
  Condition,
  CursorRequiredError,
  checkKeyset,
  DEFAULT_PAGE_SIZE,
  Document,
  FindQuery,
  Keyset,
  Page,
  ReadStore,
  SEARCH_SORT_LIMIT,
  Scalar,
  SortKey,
  UnknownFieldError,
  checkIds,
  checkWhere,
} from './read-store';

export interface SqliteReadStoreOptions {
  readonly file: string;
  /** SQLite's page cache of this connection, in MiB (default 64): what the service's RSS grows to as the read models are used. */
  readonly cacheMb?: number;
  /**
   * How long one attempt to take the write lock may wait inside SQLite (its busy timeout).
   * That wait blocks the event loop, so it is kept short; further attempts are spaced by
   * timers, leaving the loop free while another process (a rebuild) holds the lock.
   */
  readonly lockWaitMs?: number;
  /** How long a write keeps trying to take the lock before it fails. */
  readonly writeTimeoutMs?: number;
  /** Matches of a search sorted in one go (default SEARCH_SORT_LIMIT); a broader search walks the sort order. */
  readonly searchSortLimit?: number;
  /** Rows of the sort order one page of such a search looks at, at most (default 5,000: about 10–25 ms). */
  readonly searchWalkRows?: number;
  /**
   * Rows of the sort order a search's first try looks at (default 1,000; 0: no first try). When
   * they hold the page, it is answered from them and the matches are counted only as far as the
   * caller asks (`countLimit`): a broad search then costs its page, not its matches.
   */
  readonly searchWindowRows?: number;
  /**
   * Matches a searched field other than the sort's may have for the search to be answered field by
   * field (default 500; 0: never): see `searchByField`.
   */
  readonly searchFieldRows?: number;
}

interface SortColumn {
  readonly column: string;
  readonly desc: boolean;
}
type Row = { id: string; doc?: string } & Record<string, unknown>;
const orderBy = (keys: readonly SortColumn[]) => keys.map((k) => `${k.column} ${k.desc ? 'DESC' : 'ASC'}`).join(', ');

const DEFAULT_LOCK_WAIT_MS = 20;
/** Rows read at a time while a newly searchable field's keys are filled in. */
const BACKFILL_CHUNK = 1000;
const DEFAULT_WRITE_TIMEOUT_MS = 30_000;
const isBusy = (error: unknown): boolean => error instanceof Database.SqliteError && error.code.startsWith('SQLITE_BUSY');
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
/** Greatest code point: `prefix + MAX` bounds every string that starts with `prefix`. */
const MAX_CHAR = '\u{10FFFF}';

const identifier = (name: string): string => {
  if (!IDENTIFIER.test(name)) throw new Error(`Not a valid collection or field name: ${name}`);
  return name;
};
const table = (collection: string) => `rm_${identifier(collection)}`;
const fieldColumn = (field: string) => `f_${identifier(field)}`;
const searchColumn = (field: string) => `s_${identifier(field)}`;
const bindable = (value: Scalar): string | number | null => (typeof value === 'boolean' ? (value ? 1 : 0) : value);
export const searchKey = (value: unknown): string | null => (typeof value === 'string' ? value.toLocaleLowerCase('en') : null);

/** A read along the sort: rows matching `where`, after the keyset, in the order of `keys`; `limit` of them from `offset`. */
interface OrderedRange {
  readonly spec: CollectionSpec;
  readonly name: string;
  readonly where: FindQuery['where'];
  readonly keys: readonly SortColumn[];
  readonly after: Keyset | undefined;
  readonly select: readonly string[];
  readonly limit: number;
  readonly offset: number;
  /** Read the documents along the range (a single range only). */
  readonly withDocument?: boolean;
  /** More conditions, AND-ed to every range (a search key's prefix range). */
  readonly also?: { readonly clauses: readonly string[]; readonly params: readonly unknown[] };
}

/**
 * Embedded read store: one table per collection holding the JSON document, with a
 * generated (virtual) column per declared field and a stored lower-case key per
 * searchable field, both indexable. Lower-casing happens in JavaScript because SQLite's
 * lower() folds ASCII only.
 */
/** The lengths a `getMany` id list is padded to; the last is the most asked in one statement. */
const GET_MANY_SIZES = [1, 4, 16, 64, 256, 500];

/** The page cache when none is given (SqliteReadStoreOptions.cacheMb), and READ_STORE_CACHE_MB's default. */
export const DEFAULT_READ_CACHE_MB = 64;

export class SqliteReadStore implements ReadStore {
  private readonly db: Database.Database;
  private readonly specs = new Map<string, CollectionSpec>();
  private readonly statements = new Map<string, Database.Statement>();
  private readonly writeTimeoutMs: number;
  private readonly searchSortLimit: number;
  private readonly searchWalkRows: number;
  private readonly searchWindowRows: number;
  private readonly searchFieldRows: number;

  constructor(options: SqliteReadStoreOptions) {
    mkdirSync(dirname(options.file), { recursive: true });
    this.writeTimeoutMs = options.writeTimeoutMs ?? DEFAULT_WRITE_TIMEOUT_MS;
    this.searchSortLimit = options.searchSortLimit ?? SEARCH_SORT_LIMIT;
    this.searchWalkRows = Math.max(1, options.searchWalkRows ?? 5_000);
    this.searchWindowRows = Math.max(0, Math.floor(options.searchWindowRows ?? 1_000));
    this.searchFieldRows = Math.max(0, Math.floor(options.searchFieldRows ?? 500));
    // Opening may wait longer (it runs once, before anything is served); writes later wait briefly, see write().
    this.db = new Database(options.file, { timeout: 5000 });
    this.db.pragma('journal_mode = WAL');
    // Read models can be rebuilt from the event log; the checkpoint commits with the data.
    this.db.pragma('synchronous = NORMAL');
    // Up to 64 MiB of pages per connection by default (SQLite's default is 2 MiB): queries look rows
    // up by rowid all over the tables, and a page read from the OS costs a system call each time.
    this.db.pragma(`cache_size = -${Math.max(1, Math.floor(options.cacheMb ?? DEFAULT_READ_CACHE_MB)) * 1024}`);
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS _collections (name TEXT PRIMARY KEY, spec TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS _checkpoints (projection TEXT PRIMARY KEY, position INTEGER NOT NULL);
    `);
    // Files from before generations: every collection starts at generation 0.
    if (!(this.prepare(`SELECT name FROM pragma_table_xinfo('_collections')`).pluck().all() as string[]).includes('generation')) {
      this.db.exec('ALTER TABLE _collections ADD COLUMN generation INTEGER NOT NULL DEFAULT 0');
    }
    this.db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.lockWaitMs ?? DEFAULT_LOCK_WAIT_MS))}`);
  }

  /**
   * Runs `fn` as one write transaction begun IMMEDIATE, i.e. holding the write lock from
   * the start. A deferred transaction that reads and then writes cannot wait for the lock
   * when another connection (the rebuild CLI, the service's runner) has committed since
   * its read: SQLite answers SQLITE_BUSY at once, whatever the busy timeout. When the lock
   * is held elsewhere, the attempt is repeated after a growing, jittered pause (the event
   * loop stays free meanwhile) until `writeTimeoutMs` has passed. `fn` runs whole or not
   * at all on each attempt, so repeating it is safe.
   */
  private async write<T>(fn: () => T): Promise<T> {
    const deadline = Date.now() + this.writeTimeoutMs;
    for (let attempt = 0; ; attempt += 1) {
      try {
        return this.db.transaction(fn).immediate();
      } catch (error) {
        if (!isBusy(error)) throw error;
        if (Date.now() >= deadline) {
          throw new Error(`Read store is locked by another writer for more than ${this.writeTimeoutMs} ms (${(error as Error).message})`, { cause: error });
        }
        await sleep(Math.min(200, 2 ** Math.min(attempt, 7)) * (0.5 + Math.random()));
      }
    }
  }

  /** Statements are compiled once per SQL text; schema changes recompile them lazily. */
  private prepare(sql: string): Database.Statement {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  async ensureCollection(spec: CollectionSpec): Promise<void> {
    const name = table(spec.name);
    await this.write(() => {
      this.db.exec(`CREATE TABLE IF NOT EXISTS ${name} (id TEXT PRIMARY KEY, doc TEXT NOT NULL, position INTEGER NOT NULL)`);
      const columns = new Set(this.prepare(`SELECT name FROM pragma_table_xinfo('${name}')`).pluck().all() as string[]);
      for (const field of spec.fields) {
        const column = fieldColumn(field);
        if (!columns.has(column)) {
          this.db.exec(`ALTER TABLE ${name} ADD COLUMN ${column} GENERATED ALWAYS AS (json_extract(doc, '$.${field}')) VIRTUAL`);
        }
      }
      for (const field of spec.searchable ?? []) {
        const column = searchColumn(field);
        if (!columns.has(column)) {
          this.db.exec(`ALTER TABLE ${name} ADD COLUMN ${column} TEXT`);
          // Read a chunk at a time: the connection cannot write while a statement is still iterating.
          const fill = this.prepare(`UPDATE ${name} SET ${column} = ? WHERE id = ?`);
          const chunk = (op: '>=' | '>') => this.prepare(`SELECT id, doc FROM ${name} WHERE id ${op} ? ORDER BY id LIMIT ${BACKFILL_CHUNK}`);
          for (let rows = chunk('>=').all('') as { id: string; doc: string }[]; rows.length > 0; rows = chunk('>').all(rows[rows.length - 1].id) as typeof rows) {
            for (const row of rows) fill.run(searchKey(JSON.parse(row.doc)[field]), row.id);
          }
        }
      }
      const existing = this.indexedColumnLists(name);
      for (const fields of spec.indexes ?? []) {
        // Searchable fields are indexed by their case-folded key (what sorting and prefix search use); id ends every index.
        const columns = [...fields.map((f) => this.column(spec, f, true)), 'id'];
        if (existing.has(columns.join(','))) continue;
        const indexName = `ix_${name}_${columns.join('_')}_${Date.now().toString(36)}`;
        this.db.exec(`CREATE INDEX ${indexName} ON ${name} (${columns.join(', ')})`);
      }
      // The generation stays: only a promote moves it.
      this.prepare('INSERT INTO _collections (name, spec) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET spec = excluded.spec').run(spec.name, JSON.stringify(spec));
    });
    this.specs.set(spec.name, spec);
  }

  /** Column lists of the table's indexes, so an index survives renames without being duplicated. */
  private indexedColumnLists(tableName: string): Set<string> {
    const lists = new Set<string>();
    const indexes = this.prepare(`SELECT name FROM pragma_index_list('${tableName}')`).pluck().all() as string[];
    for (const index of indexes) {
      const cols = this.prepare(`SELECT name FROM pragma_index_info('${index}') ORDER BY seqno`).pluck().all() as string[];
      lists.add(cols.join(','));
    }
    return lists;
  }

  private spec(collection: string): CollectionSpec {
    let spec = this.specs.get(collection);
    if (!spec) {
      const row = this.prepare('SELECT spec FROM _collections WHERE name = ?').pluck().get(collection) as string | undefined;
      if (!row) throw new Error(`Unknown collection ${collection}`);
      spec = JSON.parse(row) as CollectionSpec;
      this.specs.set(collection, spec);
    }
    return spec;
  }

  /** The column a field filters or sorts on: its case-folded key when it is searchable. */
  private column(spec: CollectionSpec, field: string, forSort = false): string {
    if (field === 'id') return 'id';
    if ((spec.searchable ?? []).includes(field) && (forSort || !spec.fields.includes(field))) return searchColumn(field);
    if (!spec.fields.includes(field)) throw new UnknownFieldError(spec.name, field);
    return fieldColumn(field);
  }

  async dropCollection(name: string): Promise<void> {
    await this.write(() => {
      this.db.exec(`DROP TABLE IF EXISTS ${table(name)}`);
      this.prepare('DELETE FROM _collections WHERE name = ?').run(name);
    });
    this.specs.delete(name);
  }

  async applyChanges(projection: string, changes: readonly Change[], checkpoint: number, options: ApplyOptions = {}): Promise<void> {
    await this.write(() => {
      if (options.expectedCheckpoint !== undefined) {
        const stored = this.checkpointSync(projection);
        if (stored !== options.expectedCheckpoint) throw new CheckpointMovedError(projection, options.expectedCheckpoint, stored);
      }
      for (const [collection, generation] of Object.entries(options.expectedGenerations ?? {})) {
        if (this.generationSync(collection) !== generation) throw new CollectionReplacedError(projection, collection, this.checkpointSync(projection));
      }
      for (const change of changes) this.applyOne(change);
      this.prepare('INSERT INTO _checkpoints (projection, position) VALUES (?, ?) ON CONFLICT (projection) DO UPDATE SET position = excluded.position').run(projection, checkpoint);
    });
  }

  private applyOne(change: Change): void {
    const spec = this.spec(change.collection);
    const name = table(change.collection);
    const current = this.prepare(`SELECT doc, position FROM ${name} WHERE id = ?`).get(change.id) as
      | { doc: string; position: number }
      | undefined;
    if (current && current.position >= change.position) return;
    if (change.op === 'delete') {
      this.prepare(`DELETE FROM ${name} WHERE id = ?`).run(change.id);
      return;
    }
    if (change.op === 'patch' && !current) return;
    const doc = change.op === 'upsert' ? change.doc : { ...JSON.parse(current!.doc), ...change.set };
    const searchable = spec.searchable ?? [];
    const columns = ['id', 'doc', 'position', ...searchable.map(searchColumn)];
    this.prepare(`INSERT OR REPLACE INTO ${name} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`).run(change.id, JSON.stringify(doc), change.position, ...searchable.map((f) => searchKey(doc[f])));
  }

  private checkpointSync(projection: string): number {
    const position = this.prepare('SELECT position FROM _checkpoints WHERE projection = ?').pluck().get(projection) as number | undefined;
    return position ?? -1;
  }

  async getCheckpoint(projection: string): Promise<number> {
    return this.checkpointSync(projection);
  }

  private generationSync(collection: string): string {
    const generation = this.prepare('SELECT generation FROM _collections WHERE name = ?').pluck().get(collection) as number | undefined;
    if (generation === undefined) throw new Error(`Unknown collection ${collection}`);
    return String(generation);
  }

  async generation(collection: string): Promise<string> {
    return this.generationSync(collection);
  }

  async get<T extends Document>(collection: string, id: string): Promise<T | null> {
    checkIds(collection, [id]);
    const doc = this.prepare(`SELECT doc FROM ${table(collection)} WHERE id = ?`).pluck().get(id) as string | undefined;
    return doc === undefined ? null : (JSON.parse(doc) as T);
  }

  async getMany<T extends Document>(collection: string, ids: readonly string[]): Promise<Map<string, T>> {
    checkIds(collection, ids);
    const result = new Map<string, T>();
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += GET_MANY_SIZES[GET_MANY_SIZES.length - 1]) {
      // Padded to one of a few lengths (an id named twice finds one row), so that a handful of
      // cached statements per collection serve every call instead of a prepare per call.
      const chunk = unique.slice(i, i + GET_MANY_SIZES[GET_MANY_SIZES.length - 1]);
      const size = GET_MANY_SIZES.find((n) => n >= chunk.length)!;
      const padded = chunk.length === size ? chunk : [...chunk, ...new Array<string>(size - chunk.length).fill(chunk[0])];
      const rows = this.prepare(`SELECT id, doc FROM ${table(collection)} WHERE id IN (${padded.map(() => '?').join(',')})`).all(...padded) as { id: string; doc: string }[];
      for (const row of rows) result.set(row.id, JSON.parse(row.doc) as T);
    }
    return result;
  }

  /** The equality / `in` conditions as SQL, AND-ed. */
  private conditions(spec: CollectionSpec, where: FindQuery['where']): { clauses: string[]; params: unknown[] } {
    checkWhere(spec.name, where);
    const clauses: string[] = [];
    const params: unknown[] = [];
    for (const [field, condition] of Object.entries(where ?? {}) as [string, Condition][]) {
      const column = this.column(spec, field);
      if (condition !== null && typeof condition === 'object') {
        if (condition.in.length === 0) {
          clauses.push('0');
          continue;
        }
        // null in the list matches null or missing, as an equality with null does.
        const values = condition.in.filter((v) => v !== null);
        const alternatives = [
          ...(values.length > 0 ? [`${column} IN (${values.map(() => '?').join(', ')})`] : []),
          ...(values.length < condition.in.length ? [`${column} IS NULL`] : []),
        ];
        clauses.push(alternatives.length === 1 ? alternatives[0] : `(${alternatives.join(' OR ')})`);
        params.push(...values.map(bindable));
      } else if (condition === null) {
        clauses.push(`${column} IS NULL`);
      } else {
        clauses.push(`${column} = ?`);
        params.push(bindable(condition));
      }
    }
    return { clauses, params };
  }

  /**
   * The condition (without WHERE; empty for none) for conditions plus an optional prefix search. The conditions are repeated inside
   * each search alternative — `(c AND a LIKE p) OR (c AND b LIKE p)` — so that SQLite can
   * answer each alternative from an index on (condition columns, search key) and union them.
   */
  private whereClause(spec: CollectionSpec, where: FindQuery['where'], search: FindQuery['search']): { sql: string; params: unknown[] } {
    const { clauses, params } = this.conditions(spec, where);
    const prefix = searchKey(search?.prefix ?? '') ?? '';
    if (!search || prefix === '') return { sql: clauses.join(' AND '), params };
    const alternatives: string[] = [];
    const all: unknown[] = [];
    for (const field of search.fields) {
      if (!(spec.searchable ?? []).includes(field)) throw new UnknownFieldError(spec.name, field);
      const column = searchColumn(field);
      alternatives.push(`(${[...clauses, `${column} >= ?`, `${column} < ?`].join(' AND ')})`);
      all.push(...params, prefix, prefix + MAX_CHAR);
    }
    return { sql: alternatives.join(' OR '), params: all };
  }

  async find<T extends Document>(collection: string, query: FindQuery = {}): Promise<Page<T>> {
    const spec = this.spec(collection);
    const sort = query.sort ?? [];
    if (query.after) checkKeyset(query.after, sort, query.page);
    // One read transaction: the count, the ordered keys and the documents come from one snapshot.
    return this.db.transaction(() => this.findSync<T>(spec, sort, query))();
  }

  /**
   * Where rows are merged from several ranges or walked past, the keys of the page are read
   * first (id and sort columns, from an index) and its documents only after, so that a row
   * passed over costs an index step rather than a document.
   */
  private findSync<T extends Document>(spec: CollectionSpec, sort: readonly SortKey[], query: FindQuery): Page<T> {
    const name = table(spec.name);
    const page = Math.max(1, Math.floor(query.page ?? 1));
    const pageSize = Math.max(1, Math.floor(query.pageSize ?? DEFAULT_PAGE_SIZE));
    const after = query.after;
    const keys = this.sortColumns(spec, sort);
    const offset = (page - 1) * pageSize;
    const selected = ['id', ...new Set(keys.map((k) => k.column).filter((c) => c !== 'id'))];
    const keysetOf = (row: Row): Keyset => ({ values: keys.slice(0, sort.length).map((k) => row[k.column] as Scalar), id: row.id });
    const prefix = searchKey(query.search?.prefix ?? '') ?? '';
    let rows: Row[];
    let next: Keyset | null = null;
    let counted: number;
    if (!query.search || prefix === '') {
      rows = this.ordered({ spec, name, where: query.where, keys, after, select: selected, limit: pageSize + 1, offset, withDocument: true });
      counted = query.skipTotal ? -1 : this.count(name, this.whereClause(spec, query.where, undefined), query.countLimit);
    } else {
      const matching = this.whereClause(spec, query.where, query.search);
      // Sorted by a searched field, its matches are one index range: field by field is the likelier answer. Otherwise
      // the first rows of the sort order are (a broad search has matches all along it), and they cost less to try.
      const byField = () => this.searchByField(spec, name, query, sort, keys, selected, pageSize);
      const window = () => this.searchWindow(spec, name, query, keys, selected, pageSize);
      const sortsBySearched = sort.length === 1 && query.search.fields.includes(sort[0].field);
      const quick = offset > 0 ? null : sortsBySearched ? (byField() ?? window()) : (window() ?? byField());
      if (quick) {
        // Answered without reading every match: the matches are counted only as far as the caller asks.
        counted = query.skipTotal ? -1 : this.count(name, matching, query.countLimit);
        return this.pageOf<T>(name, quick, pageSize, keysetOf, null, counted, query, page);
      }
      // Counted up to what decides how to answer, and up to what the caller wants to know.
      const cap = query.skipTotal ? this.searchSortLimit : query.countLimit === undefined ? undefined : Math.max(query.countLimit, this.searchSortLimit);
      counted = this.count(name, matching, cap);
      if (counted <= this.searchSortLimit) {
        // Few enough to sort: every match is read (from the search keys' indexes) and sorted.
        const beyond = after ? this.keysetExpression(keys, after) : null;
        const where = beyond ? `WHERE (${matching.sql}) AND ${beyond.sql}` : `WHERE ${matching.sql}`;
        rows = this.prepare(`SELECT ${selected.join(', ')}, doc FROM ${name} ${where} ORDER BY ${orderBy(keys)} LIMIT ? OFFSET ?`).all(
          ...matching.params,
          ...(beyond?.params ?? []),
          pageSize + 1,
          offset,
        ) as Row[];
      } else {
        // Too many to sort on the event loop: walk the sort order (an index) from `after`, at most
        // searchWalkRows rows, and keep the matches. The page may come out short; `next` then
        // points past the last row looked at.
        if (offset > 0) throw new CursorRequiredError(this.searchSortLimit);
        rows = this.walkMatches(spec, name, query, keys, selected, this.searchWalkRows, pageSize + 1);
        if (rows.length <= pageSize) {
          const [last] = this.ordered({ spec, name, where: query.where, keys, after, select: selected, limit: 1, offset: this.searchWalkRows - 1 });
          if (last) next = keysetOf(last);
        }
      }
    }
    return this.pageOf<T>(name, rows, pageSize, keysetOf, next, counted, query, page);
  }

  /** The page from up to pageSize + 1 rows read (one more shows that a next page exists). */
  private pageOf<T extends Document>(name: string, rows: readonly Row[], pageSize: number, keysetOf: (row: Row) => Keyset, next: Keyset | null, counted: number, query: FindQuery, page: number): Page<T> {
    const lowerBound = query.countLimit !== undefined && counted > query.countLimit;
    return {
      items: this.documentsOf<T>(name, rows.slice(0, pageSize)),
      total: query.skipTotal ? -1 : lowerBound ? query.countLimit! : counted,
      totalIsLowerBound: lowerBound,
      page,
      pageSize,
      next: rows.length > pageSize ? keysetOf(rows[pageSize - 1]) : next,
    };
  }

  /**
   * A search's page from each searched field on its own, when that is cheap for every field: the
   * field the query sorts by (when it sorts by one searchable field) has its matches side by
   * side in the sort order, one index range read from the keyset on; every other field has at
   * most `searchFieldRows` matches (counted on its search key's index), read and sorted. The
   * page is the first pageSize + 1 of their union, exactly the rows a full sort would put first.
   * Null when a field other than the sort's has more matches (the other paths answer).
   */
  private searchByField(spec: CollectionSpec, name: string, query: FindQuery, sort: readonly SortKey[], keys: readonly SortColumn[], selected: readonly string[], pageSize: number): Row[] | null {
    if (this.searchFieldRows <= 0) return null;
    const prefix = searchKey(query.search!.prefix) ?? '';
    const fields = [...new Set(query.search!.fields)];
    for (const field of fields) if (!(spec.searchable ?? []).includes(field)) throw new UnknownFieldError(spec.name, field);
    const sorted = sort.length === 1 && fields.includes(sort[0].field) ? sort[0].field : null;
    const { clauses, params } = this.conditions(spec, query.where);
    const prefixRange = (field: string) => ({ clauses: [`${searchColumn(field)} >= ?`, `${searchColumn(field)} < ?`], params: [prefix, prefix + MAX_CHAR] });
    const others = fields.filter((field) => field !== sorted);
    for (const field of others) {
      const range = prefixRange(field);
      const sql = `SELECT count(*) FROM (SELECT 1 FROM ${name} WHERE ${[...clauses, ...range.clauses].join(' AND ')} LIMIT ?)`;
      if ((this.prepare(sql).pluck().get(...params, ...range.params, this.searchFieldRows + 1) as number) > this.searchFieldRows) return null;
    }
    const arms: { sql: string; params: unknown[] }[] = [];
    if (sorted) {
      arms.push(this.orderedSql({ spec, name, where: query.where, keys, after: query.after, select: selected, limit: pageSize + 1, offset: 0, also: prefixRange(sorted) }));
    }
    // `+column` in ORDER BY: each of these is read from its search key's index and sorted, never by walking the sort's index.
    const unindexed = keys.map((k) => `+${k.column} ${k.desc ? 'DESC' : 'ASC'}`).join(', ');
    const beyond = query.after ? this.keysetExpression(keys, query.after) : null;
    for (const field of others) {
      const range = prefixRange(field);
      const where = [...clauses, ...range.clauses, ...(beyond ? [beyond.sql] : [])].join(' AND ');
      arms.push({ sql: `SELECT ${selected.join(', ')} FROM ${name} WHERE ${where} ORDER BY ${unindexed} LIMIT ?`, params: [...params, ...range.params, ...(beyond?.params ?? []), pageSize + 1] });
    }
    const union = arms.map((arm) => `SELECT * FROM (${arm.sql})`).join(' UNION ');
    return this.prepare(`${union} ORDER BY ${orderBy(keys)} LIMIT ?`).all(...arms.flatMap((arm) => arm.params), pageSize + 1) as Row[];
  }

  /**
   * The matches among the first `searchWindowRows` rows of the sort order after the keyset (an
   * index, the rows' search keys checked as they come), when pageSize + 1 of them are there:
   * exactly the rows a full sort of the matches would put first. Null when fewer are (a narrow
   * search, or matches that sort late), for the other paths to answer.
   */
  private searchWindow(spec: CollectionSpec, name: string, query: FindQuery, keys: readonly SortColumn[], selected: readonly string[], pageSize: number): Row[] | null {
    if (this.searchWindowRows <= pageSize) return null;
    const rows = this.walkMatches(spec, name, query, keys, selected, this.searchWindowRows, pageSize + 1);
    return rows.length > pageSize ? rows : null;
  }

  /** The matches of the search among `walk` rows of the sort order from the keyset, at most `limit` of them. */
  private walkMatches(spec: CollectionSpec, name: string, query: FindQuery, keys: readonly SortColumn[], selected: readonly string[], walk: number, limit: number): Row[] {
    const prefix = searchKey(query.search!.prefix) ?? '';
    const columns = query.search!.fields.map((field) => {
      if (!(spec.searchable ?? []).includes(field)) throw new UnknownFieldError(spec.name, field);
      return searchColumn(field);
    });
    const walked = this.orderedSql({ spec, name, where: query.where, keys, after: query.after, select: [...new Set([...selected, ...columns])], limit: walk, offset: 0 });
    const test = columns.map((c) => `(${c} >= ? AND ${c} < ?)`).join(' OR ');
    return this.prepare(`SELECT ${selected.join(', ')} FROM (${walked.sql}) WHERE ${test} LIMIT ?`).all(
      ...walked.params,
      ...columns.flatMap(() => [prefix, prefix + MAX_CHAR]),
      limit,
    ) as Row[];
  }

  /** The documents of `rows`, in their order: read with them, or now by id. */
  private documentsOf<T extends Document>(name: string, rows: readonly Row[]): T[] {
    if (rows.every((row) => typeof row.doc === 'string')) return rows.map((row) => JSON.parse(row.doc!) as T);
    const docs = new Map(
      (this.prepare(`SELECT id, doc FROM ${name} WHERE id IN (${rows.map(() => '?').join(', ')})`).all(...rows.map((r) => r.id)) as { id: string; doc: string }[]).map((r) => [r.id, r.doc]),
    );
    return rows.map((row) => JSON.parse(docs.get(row.id)!) as T);
  }

  /** The sort keys as columns (searchable fields by their folded key), then id in the direction of the last key. */
  private sortColumns(spec: CollectionSpec, sort: readonly SortKey[]): SortColumn[] {
    // Ties are broken by id in the direction of the last key, so an index on (…, key, id) can serve the whole order.
    const tieDesc = sort.length > 0 && sort[sort.length - 1].direction === 'desc';
    return [...sort.map((s) => ({ column: this.column(spec, s.field, true), desc: s.direction === 'desc' })), { column: 'id', desc: tieDesc }];
  }

  /** Rows matching `where` (no search), after the keyset, in the order of `keys`: `limit` of them from `offset`. */
  private ordered(range: OrderedRange): Row[] {
    const { sql, params } = this.orderedSql(range);
    return this.prepare(sql).all(...params) as Row[];
  }

  /**
   * One index range per part, merged in order: a part per value of a small `in` (one range
   * per value) and per range of the keyset (`(k, id) > (v, i)`, and for a descending order
   * `k IS NULL`, which sorts last). As arms of one UNION ALL ordered as a whole, each arm is
   * read along its index and the merge pulls only the rows the LIMIT and OFFSET need.
   */
  private orderedSql({ spec, name, where, keys, after, select, limit, offset, withDocument = false, also }: OrderedRange): { sql: string; params: unknown[] } {
    const filters = (keys.length > 1 ? this.splitIn(spec, where) : null) ?? [this.conditions(spec, where)];
    const ranges = after ? this.keysetRanges(keys, after) : [{ clauses: [], params: [] }];
    const parts = filters.flatMap((f) =>
      ranges.map((r) => ({ clauses: [...f.clauses, ...(also?.clauses ?? []), ...r.clauses], params: [...f.params, ...(also?.params ?? []), ...r.params] })),
    );
    // A single range reads the documents as it goes (SQLite skips an offset's rows without reading them);
    // merged ranges fetch them afterwards, for the page only (documentsOf).
    const columns = withDocument && parts.length === 1 ? [...select, 'doc'] : select;
    const arms = parts.map((p) => `SELECT ${columns.join(', ')} FROM ${name}${p.clauses.length > 0 ? ` WHERE ${p.clauses.join(' AND ')}` : ''}`);
    return { sql: `${arms.join(' UNION ALL ')} ORDER BY ${orderBy(keys)} LIMIT ? OFFSET ?`, params: [...parts.flatMap((p) => p.params), limit, offset] };
  }

  /**
   * "Comes after `after`" as alternatives, each one index range. NULL sorts first ascending
   * and last descending, as SQLite orders it. When every key runs the same way and no value is
   * null, the row value `(k…, id) > (v…, i)` says it in one range (descending: `<`, plus the
   * rows whose key is null, which come last); otherwise, key by key: `k > v`, `k = v AND id > i`, …
   */
  private keysetRanges(sortKeys: readonly SortColumn[], after: Keyset, filterOnly = false): { clauses: string[]; params: unknown[] }[] {
    // `+column` keeps SQLite from choosing an index for the keyset where it is only a filter.
    const keys = filterOnly ? sortKeys.map((k) => ({ ...k, column: `+${k.column}` })) : sortKeys;
    const values: Scalar[] = [...after.values, after.id];
    const equalities = (n: number) => keys.slice(0, n).map((k, j) => (values[j] === null ? { sql: `${k.column} IS NULL`, params: [] } : { sql: `${k.column} = ?`, params: [bindable(values[j])] }));
    const range = (conditions: { sql: string; params: unknown[] }[]) => ({ clauses: conditions.map((c) => c.sql), params: conditions.flatMap((c) => c.params) });
    const desc = keys[keys.length - 1].desc;
    if (keys.every((k) => k.desc === desc) && values.every((v) => v !== null)) {
      const row = { sql: `(${keys.map((k) => k.column).join(', ')}) ${desc ? '<' : '>'} (${keys.map(() => '?').join(', ')})`, params: values.map(bindable) };
      const nullTails = desc ? keys.slice(0, -1).map((k, i) => range([...equalities(i), { sql: `${k.column} IS NULL`, params: [] }])) : [];
      return [range([row]), ...nullTails];
    }
    const ranges: { clauses: string[]; params: unknown[] }[] = [];
    keys.forEach(({ column, desc: down }, i) => {
      const value = values[i];
      const bounds =
        value === null
          ? down
            ? []
            : [{ sql: `${column} IS NOT NULL`, params: [] }]
          : down
            ? [{ sql: `${column} < ?`, params: [bindable(value)] }, ...(sortKeys[i].column === 'id' ? [] : [{ sql: `${column} IS NULL`, params: [] }])]
            : [{ sql: `${column} > ?`, params: [bindable(value)] }];
      for (const bound of bounds) ranges.push(range([...equalities(i), bound]));
    });
    return ranges;
  }

  /** The keyset as one condition, a filter over rows found another way (a search's indexes). */
  private keysetExpression(keys: readonly SortColumn[], after: Keyset): { sql: string; params: unknown[] } {
    const ranges = this.keysetRanges(keys, after, true);
    return { sql: `(${ranges.map((r) => `(${r.clauses.join(' AND ')})`).join(' OR ')})`, params: ranges.flatMap((r) => r.params) };
  }

  /** Rows matching, counted up to `cap` (all of them without one). */
  private count(name: string, matching: { sql: string; params: unknown[] }, cap: number | undefined): number {
    const where = matching.sql ? `WHERE ${matching.sql}` : '';
    if (cap === undefined) return this.prepare(`SELECT count(*) FROM ${name} ${where}`).pluck().get(...matching.params) as number;
    return this.prepare(`SELECT count(*) FROM (SELECT 1 FROM ${name} ${where} LIMIT ?)`).pluck().get(...matching.params, cap + 1) as number;
  }

  /** For a single `in` of a few values: the same conditions once per value, as equalities. */
  private splitIn(spec: CollectionSpec, where: FindQuery['where']): { clauses: string[]; params: unknown[] }[] | null {
    const entries = Object.entries(where ?? {}) as [string, Condition][];
    const ins = entries.filter(([, c]) => c !== null && typeof c === 'object');
    if (ins.length !== 1) return null;
    const [field, condition] = ins[0] as [string, { in: readonly Scalar[] }];
    if (condition.in.length < 2 || condition.in.length > 16) return null;
    return [...new Set(condition.in)].map((value) => this.conditions(spec, Object.fromEntries(entries.map(([f, c]) => [f, f === field ? value : c]))));
  }

  async countBy(collection: string, field: string, where?: FindQuery['where']): Promise<Record<string, number>> {
    const spec = this.spec(collection);
    const column = this.column(spec, field);
    const { sql, params } = this.whereClause(spec, where, undefined);
    const rows = this.prepare(
      `SELECT ${column} AS k, json_type(doc, '$.${identifier(field)}') AS t, count(*) AS n FROM ${table(collection)} ${sql ? `WHERE ${sql}` : ''} GROUP BY k, t`,
    ).all(...params) as { k: Scalar; t: string; n: number }[];
    // JSON booleans come back from SQLite as 1/0: name them as the document does.
    return Object.fromEntries(rows.map((r) => [r.t === 'true' || r.t === 'false' ? r.t : String(r.k), r.n]));
  }

  async promote({ from, to, fromProjection, toProjection }: { from: string; to: string; fromProjection: string; toProjection: string }): Promise<void> {
    const spec = this.spec(from);
    await this.write(() => {
      this.db.exec(`DROP TABLE IF EXISTS ${table(to)}`);
      this.db.exec(`ALTER TABLE ${table(from)} RENAME TO ${table(to)}`);
      // A generation above both the replaced collection's and the rebuilt one's, so no earlier one comes back.
      const generation = (this.prepare('SELECT max(generation) FROM _collections WHERE name IN (?, ?)').pluck().get(from, to) as number | null) ?? 0;
      this.prepare('DELETE FROM _collections WHERE name = ?').run(from);
      this.prepare('INSERT OR REPLACE INTO _collections (name, spec, generation) VALUES (?, ?, ?)').run(to, JSON.stringify({ ...spec, name: to }), generation + 1);
      const position = this.checkpointSync(fromProjection);
      this.db
        .prepare('INSERT INTO _checkpoints (projection, position) VALUES (?, ?) ON CONFLICT (projection) DO UPDATE SET position = excluded.position')
        .run(toProjection, position);
      this.prepare('DELETE FROM _checkpoints WHERE projection = ?').run(fromProjection);
    });
    this.specs.delete(from);
    this.specs.set(to, { ...spec, name: to });
  }

  async ping(): Promise<void> {
    this.prepare('SELECT 1').get();
  }

  async close(): Promise<void> {
    if (this.db.open) this.db.close();
  }
}
