import { randomBytes } from 'node:crypto';
import { MongoBulkWriteError, MongoClient, MongoServerError } from 'mongodb';
import type {
  ClientSession,
  Collection,
  Db,
  Filter,
  IndexDirection,
  MongoClientOptions,
  Document as MongoDocument,
  Sort,
  TransactionOptions,
} from 'mongodb';
import {
  ApplyOptions,
  Change,
  CheckpointMovedError,
  CollectionReplacedError,
  CollectionSpec,
  Condition,
  CursorRequiredError,
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
  checkKeyset,
} from './read-store';
import {
  CollectionRow,
  POSITION,
  RESERVED_FIELDS,
  SEARCH,
  Stored,
  Target,
  backfillFields,
  backfillOperations,
  physicalName,
  physicalOf,
  planBatch,
  promotedRow,
  retiredDue,
  searchPath,
  transactionsUnsupported,
} from './mongodb-plan';
import { searchKey } from './sqlite-read-store';

export interface MongoReadStoreOptions {
  readonly uri: string;
  readonly dbName: string;
  /** Extra driver options (timeouts, TLS…); `ignoreUndefined` is always on. */
  readonly clientOptions?: MongoClientOptions;
  /**
   * How long a collection that a promote replaced is kept, for the reads that looked it up
   * before the promote and are still reading it (default 10 minutes). Dropped after that.
   */
  readonly retiredGraceMs?: number;
}

interface CheckpointRow {
  _id: string;
  position: number;
}

const COLLECTIONS = '_collections';
const CHECKPOINTS = '_checkpoints';
/** Hides the adapter's fields, so reads return exactly the document that was written. */
const HIDDEN = { _id: 0, [POSITION]: 0, [SEARCH]: 0 } as const;

const DUPLICATE_KEY = 11000;
const NAMESPACE_NOT_FOUND = 26;
const NAMESPACE_EXISTS = 48;
const COMMAND_NOT_FOUND = 59;
const GET_MANY_CHUNK = 1000;
/** Documents read at a time while a newly searchable field's keys are filled in. */
const BACKFILL_CHUNK = 1000;
/** Times a chunk of the backfill is read and written again because batches kept changing it. */
const BACKFILL_ATTEMPTS = 20;
const DEFAULT_RETIRED_GRACE_MS = 10 * 60_000;

/**
 * Every batch and every promote runs as one transaction: a snapshot of majority-committed
 * data, committed with majority acknowledgement, on the primary.
 */
const TRANSACTION: TransactionOptions = { readConcern: { level: 'snapshot' }, writeConcern: { w: 'majority' }, readPreference: 'primary' };

/** Same rule as the SQLite adapter, so a spec valid for one is valid for the other. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;
const identifier = (name: string): string => {
  if (!IDENTIFIER.test(name)) throw new Error(`Not a valid collection or field name: ${name}`);
  return name;
};
const collectionName = (name: string): string => {
  if (identifier(name) === COLLECTIONS || name === CHECKPOINTS) throw new Error(`Collection name ${name} is reserved by the read store`);
  return name;
};
const fieldName = (name: string): string => {
  if (RESERVED_FIELDS.has(identifier(name))) throw new Error(`Field name ${name} is reserved by the read store`);
  return name;
};

/** A spec as stored: plain JSON (no undefined members). */
const plainSpec = (spec: CollectionSpec): CollectionSpec => JSON.parse(JSON.stringify(spec)) as CollectionSpec;

const hasCode = (error: unknown, code: number): boolean => error instanceof MongoServerError && error.code === code;
const isDuplicateKey = (error: unknown): boolean =>
  hasCode(error, DUPLICATE_KEY) || (error instanceof MongoBulkWriteError && [error.writeErrors].flat().some((e) => e?.code === DUPLICATE_KEY));

/**
 * A prefix as an anchored regular expression that matches it literally. Every PCRE
 * metacharacter is escaped; NUL, which a pattern may not contain, is written as `\x00`.
 * No flags: the prefix is already case-folded like the stored key, and an anchored,
 * case-sensitive regex is what MongoDB turns into an index range scan.
 */
const prefixPattern = (prefix: string): string => `^${prefix.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&').replace(/\0/g, '\\x00')}`;

/**
 * MongoDB read store. Each read-store collection is a row of `_collections` (its spec, and
 * the MongoDB collection holding its documents, `<name>-<token>`) and that collection,
 * holding `{ _id: id, ...doc, _position, _s: { <searchable field>: case-folded value } }`;
 * checkpoints live in `_checkpoints`. It answers every query as the SQLite adapter does:
 * searchable fields are sorted and prefix-searched by their case-folded key (folded in
 * JavaScript, with the same `searchKey`), ties are broken by id in the direction of the
 * last sort key.
 *
 * It needs a replica set (or a sharded cluster): a batch and its checkpoint are written in
 * one multi-document transaction, and so is a promote, which only repoints the row of the
 * live collection at the rebuilt one; `connect` refuses a standalone server.
 */
export class MongoReadStore implements ReadStore {
  private readonly client: MongoClient;
  private readonly db: Db;
  private readonly retiredGraceMs: number;
  /** Collections whose retired collections this process is dropping now. */
  private readonly sweeping = new Set<string>();

  private constructor(options: MongoReadStoreOptions) {
    // Undefined fields are dropped, as JSON.stringify drops them in the SQLite adapter.
    this.client = new MongoClient(options.uri, { ...options.clientOptions, ignoreUndefined: true });
    // Every write outside a transaction (specs, backfills) acknowledged by a majority, so that the
    // next transaction, which reads majority-committed data, sees it.
    this.db = this.client.db(options.dbName, { writeConcern: { w: 'majority' } });
    this.retiredGraceMs = Math.max(0, options.retiredGraceMs ?? DEFAULT_RETIRED_GRACE_MS);
  }

  /**
   * Connects, pings, and checks that the server runs transactions (a replica set member or
   * mongos), so that a wrong URI, an unreachable server or a standalone one fails at start-up
   * with one line saying so.
   */
  static async connect(options: MongoReadStoreOptions): Promise<MongoReadStore> {
    const store = new MongoReadStore(options);
    try {
      await store.client.connect();
      await store.ping();
      const problem = transactionsUnsupported(await store.hello());
      if (problem) throw new Error(problem);
      // Before any transaction: a transaction cannot create a collection on servers before 4.4.
      for (const name of [COLLECTIONS, CHECKPOINTS]) await store.createPhysical(name);
    } catch (error) {
      await store.client.close().catch(() => undefined);
      throw error;
    }
    return store;
  }

  private async hello(): Promise<MongoDocument> {
    try {
      return await this.db.command({ hello: 1 });
    } catch (error) {
      // Servers before 4.2.10 know only the former name.
      if (!hasCode(error, COMMAND_NOT_FOUND)) throw error;
      return this.db.command({ isMaster: 1 });
    }
  }

  private get collections(): Collection<CollectionRow> {
    return this.db.collection<CollectionRow>(COLLECTIONS);
  }

  private get checkpoints(): Collection<CheckpointRow> {
    return this.db.collection<CheckpointRow>(CHECKPOINTS);
  }

  private physical(name: string): Collection<Stored> {
    return this.db.collection<Stored>(name);
  }

  private async createPhysical(name: string): Promise<void> {
    try {
      await this.db.createCollection(name);
    } catch (error) {
      if (!hasCode(error, NAMESPACE_EXISTS)) throw error;
    }
  }

  private async dropPhysical(name: string): Promise<void> {
    try {
      await this.db.dropCollection(name);
    } catch (error) {
      // Servers before 7.0 refuse to drop a missing collection.
      if (!hasCode(error, NAMESPACE_NOT_FOUND)) throw error;
    }
  }

  /**
   * Runs `fn` as one transaction in a session of its own. The driver runs it again on a
   * transient error (a write conflict with another batch or a promote) and retries the commit
   * when its outcome is unknown, for up to 120 s; `fn` reads everything it decides on inside
   * the transaction, so running it again is safe. Two transactions inserting the same new
   * document can also meet as a duplicate key: that is tried again here, a couple of times.
   */
  private async transaction<T>(fn: (session: ClientSession) => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await this.client.withSession((session) => session.withTransaction(() => fn(session), TRANSACTION));
      } catch (error) {
        if (attempt < 3 && isDuplicateKey(error)) continue;
        throw error;
      }
    }
  }

  /**
   * Indexes, all ascending (MongoDB walks an index backwards for an all-descending sort,
   * which the id tie-breaker keeps consistent with the last key):
   * - each declared compound index, with a searchable field indexed by its folded key
   *   `_s.<field>` (what sorting and prefix search use) and `_id` appended: it serves the
   *   typical query — equalities on the leading fields, sorted by the next one, ties by id —
   *   without a blocking sort, and an `in` on a leading field as a merge of sorted ranges.
   *   Filters compare the raw field (as in SQLite), so an equality on a searchable field
   *   is not served by such an index; declare it plainly for that.
   * - `{ _s.<field>: 1, _id: 1 }` per searchable field, so each branch of a prefix
   *   search's `$or` is an index range and a sort on that field alone needs no sort stage.
   */
  private indexKeys(spec: CollectionSpec): Record<string, IndexDirection>[] {
    const lists = [
      ...(spec.indexes ?? []).map((fields) => fields.map((f) => this.path(spec, f, true))),
      ...(spec.searchable ?? []).map((f) => [searchPath(f)]),
    ];
    const keys = new Map<string, Record<string, IndexDirection>>();
    for (const paths of lists) {
      const unique = [...new Set([...paths, '_id'])];
      keys.set(unique.join(','), Object.fromEntries(unique.map((p) => [p, 1 as const])));
    }
    return [...keys.values()];
  }

  /**
   * Creates the collection when it has no row yet (a fresh MongoDB collection; of two
   * processes creating it at once, one row wins and the other's collection is dropped), then
   * records the spec, creates the missing indexes, and fills in the search keys of fields
   * that have become searchable on the documents already stored, as the SQLite adapter does.
   * The spec is recorded before the keys are filled, so every batch from then on writes them
   * itself; the fields being filled are recorded with it, so a start interrupted during the
   * backfill finishes it at the next one. Meanwhile (a start, not a transaction) prefix
   * searches and sorts on such a field miss the documents not yet filled in.
   */
  async ensureCollection(spec: CollectionSpec): Promise<void> {
    const name = collectionName(spec.name);
    for (const field of [...spec.fields, ...(spec.searchable ?? [])]) fieldName(field);
    let row = await this.collections.findOne({ _id: name });
    if (!row) {
      const candidate = physicalName(name, `${Date.now().toString(36)}${randomBytes(4).toString('hex')}`);
      await this.createPhysical(candidate);
      let created = false;
      try {
        created = (await this.collections.updateOne({ _id: name }, { $setOnInsert: { spec: plainSpec(spec), physical: candidate } }, { upsert: true })).upsertedCount === 1;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
      }
      if (!created) await this.dropPhysical(candidate);
      row = await this.collections.findOne({ _id: name });
      if (!row) throw new Error(`Collection ${name} was dropped while it was being created`);
    }
    const physical = physicalOf(row);
    // Present unless dropped by hand (or a row from before rows named their collection).
    await this.createPhysical(physical);
    const fill = backfillFields(row, spec);
    await this.collections.updateOne({ _id: name }, { $set: { spec: plainSpec(spec), backfilling: fill } });
    const collection = this.physical(physical);
    // Compared by key pattern rather than name, so indexes are never duplicated.
    const existing = new Set((await collection.listIndexes().toArray()).map((index) => Object.keys(index.key as MongoDocument).join(',')));
    const missing = this.indexKeys(spec).filter((key) => !existing.has(Object.keys(key).join(',')));
    if (missing.length > 0) await collection.createIndexes(missing.map((key) => ({ key })));
    if (fill.length > 0) {
      await this.backfill(collection, fill);
      await this.collections.updateOne({ _id: name }, { $pullAll: { backfilling: fill } });
    }
    await this.sweepRetired(name);
  }

  /** Fills the search keys of `fields` in every document, a chunk at a time in `_id` order. */
  private async backfill(collection: Collection<Stored>, fields: readonly string[]): Promise<void> {
    const projection = Object.fromEntries([POSITION, ...fields].map((f) => [f, 1]));
    for (let last: string | null = null; ; ) {
      const docs: Stored[] = await collection.find(last === null ? {} : { _id: { $gt: last } }, { projection, sort: { _id: 1 }, limit: BACKFILL_CHUNK }).toArray();
      if (docs.length === 0) return;
      let pending = docs;
      for (let attempt = 1; pending.length > 0; attempt += 1) {
        if (attempt > BACKFILL_ATTEMPTS) throw new Error(`Backfilling ${fields.join(', ')} in ${collection.collectionName}: documents kept changing under it`);
        const result = await collection.bulkWrite(backfillOperations(pending, fields), { ordered: false });
        if (result.matchedCount === pending.length) break;
        // Some were written (or deleted) since they were read: read those still there again.
        pending = await collection.find({ _id: { $in: pending.map((d) => d._id) } }, { projection }).toArray();
      }
      last = docs[docs.length - 1]._id;
    }
  }

  /** The spec and MongoDB collection of a read-store collection, as recorded now. */
  private async target(collection: string): Promise<Target> {
    const row = await this.collections.findOne({ _id: collectionName(collection) });
    if (!row) throw new Error(`Unknown collection ${collection}`);
    if (row.retired && retiredDue(row.retired, new Date(), this.retiredGraceMs).length > 0 && !this.sweeping.has(row._id)) {
      // Whoever reads drops what a promote replaced once its grace period is over; reads do not wait for it.
      void this.sweepRetired(row._id).catch(() => undefined);
    }
    return { spec: row.spec, physical: physicalOf(row) };
  }

  /** The path a field filters or sorts on: its folded key when it is searchable (as SQLite's `column`). */
  private path(spec: CollectionSpec, field: string, forSort = false): string {
    if (field === 'id') return '_id';
    if ((spec.searchable ?? []).includes(field) && (forSort || !spec.fields.includes(field))) return searchPath(field);
    if (!spec.fields.includes(field)) throw new UnknownFieldError(spec.name, field);
    return field;
  }

  /** Drops the collection's documents (and what promotes replaced) at once, then its row. */
  async dropCollection(name: string): Promise<void> {
    const logical = collectionName(name);
    const row = await this.collections.findOne({ _id: logical });
    await this.collections.deleteOne({ _id: logical });
    for (const physical of row ? [physicalOf(row), ...(row.retired ?? []).map((r) => r.physical)] : [logical]) await this.dropPhysical(physical);
  }

  /**
   * One transaction: reads the checkpoint and, with `expectedCheckpoint`, throws
   * CheckpointMovedError when it holds another value (nothing is written); writes the new
   * checkpoint first, so that a promote or another writer moving it from then on makes one of
   * the two transactions start again (a write conflict) and the one started again sees the
   * moved checkpoint; then reads where each collection's documents are and the positions of
   * the documents the batch touches, and writes the changes `planBatch` keeps (one ordered
   * bulk write per collection). Either all of it commits or none, so a batch is never applied
   * without its checkpoint, nor a refused one half-applied.
   */
  async applyChanges(projection: string, changes: readonly Change[], checkpoint: number, options: ApplyOptions = {}): Promise<void> {
    const names = [...new Set(changes.map((c) => collectionName(c.collection)))];
    const expected = options.expectedCheckpoint;
    await this.transaction(async (session) => {
      const stored = (await this.checkpoints.findOne({ _id: projection }, { session }))?.position ?? -1;
      if (expected !== undefined && stored !== expected) throw new CheckpointMovedError(projection, expected, stored);
      await this.checkpoints.updateOne({ _id: projection }, { $set: { position: checkpoint } }, { upsert: true, session });
      const generations = Object.entries(options.expectedGenerations ?? {}).map(([collection, generation]) => [collectionName(collection), generation] as const);
      const found = await this.collections.find({ _id: { $in: [...new Set([...names, ...generations.map(([name]) => name)])] } }, { session }).toArray();
      const rows = new Map(found.map((row) => [row._id, row]));
      // A promote repoints the row to the rebuilt collection (a fresh MongoDB collection each rebuild): that name is the generation.
      for (const [name, generation] of generations) {
        const row = rows.get(name);
        if (!row || physicalOf(row) !== generation) throw new CollectionReplacedError(projection, name, stored);
      }
      const targets = new Map<string, Target>();
      for (const name of names) {
        const row = rows.get(name);
        if (row) targets.set(name, { spec: row.spec, physical: physicalOf(row) });
      }
      const positions = new Map<string, Map<string, number | null>>();
      for (const [name, target] of targets) {
        const ids = [...new Set(changes.filter((c) => c.collection === name).map((c) => c.id))];
        const found = new Map<string, number | null>();
        for (let i = 0; i < ids.length; i += GET_MANY_CHUNK) {
          const rows = await this.physical(target.physical)
            .find({ _id: { $in: ids.slice(i, i + GET_MANY_CHUNK) } }, { projection: { [POSITION]: 1 }, session })
            .toArray();
          for (const row of rows) found.set(row._id, typeof row[POSITION] === 'number' ? row[POSITION] : null);
        }
        positions.set(name, found);
      }
      for (const [physical, ops] of planBatch(changes, targets, positions)) {
        await this.physical(physical).bulkWrite(ops, { ordered: true, session });
      }
    });
  }

  /** The MongoDB collection the row names now: a promote repoints it to the rebuilt one, nothing else changes it. */
  async generation(collection: string): Promise<string> {
    return (await this.target(collection)).physical;
  }

  async getCheckpoint(projection: string): Promise<number> {
    const row = await this.checkpoints.findOne({ _id: projection });
    return row?.position ?? -1;
  }

  async get<T extends Document>(collection: string, id: string): Promise<T | null> {
    checkIds(collection, [id]);
    const { physical } = await this.target(collection);
    return (await this.physical(physical).findOne({ _id: id }, { projection: HIDDEN })) as T | null;
  }

  /** Every chunk from the collection looked up once, so a promote meanwhile never mixes the old and the new. */
  async getMany<T extends Document>(collection: string, ids: readonly string[]): Promise<Map<string, T>> {
    checkIds(collection, ids);
    const { physical } = await this.target(collection);
    const result = new Map<string, T>();
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += GET_MANY_CHUNK) {
      const rows = await this.physical(physical)
        .find({ _id: { $in: unique.slice(i, i + GET_MANY_CHUNK) } }, { projection: { [POSITION]: 0, [SEARCH]: 0 } })
        .toArray();
      for (const { _id, ...doc } of rows) result.set(_id, doc as T);
    }
    return result;
  }

  /**
   * The equality / `in` conditions plus an optional prefix search, with SQLite's results:
   * null matches null or missing (IS NULL), also inside an `in` (as SQLite's sorted `in`
   * path reads it; its plain `IN (NULL)` matches nothing); `in: []` matches nothing, and
   * so does an undefined condition (SQLite binds it as `= NULL`).
   */
  private filter(spec: CollectionSpec, where: FindQuery['where'], search: FindQuery['search']): Filter<Stored> {
    checkWhere(spec.name, where);
    const filter: MongoDocument = {};
    for (const [field, condition] of Object.entries(where ?? {}) as [string, Condition | undefined][]) {
      const path = this.path(spec, field);
      if (condition === undefined) filter[path] = { $in: [] };
      else if (condition !== null && typeof condition === 'object') {
        filter[path] = { $in: condition.in.filter((v: Scalar | undefined) => v !== undefined) };
      } else filter[path] = condition;
    }
    const prefix = searchKey(search?.prefix ?? '') ?? '';
    if (search && prefix !== '') {
      filter.$or = search.fields.map((field) => {
        if (!(spec.searchable ?? []).includes(field)) throw new UnknownFieldError(spec.name, field);
        return { [searchPath(field)]: { $regex: prefixPattern(prefix) } };
      });
    }
    return filter as Filter<Stored>;
  }

  /**
   * The sort keys (searchable fields by their folded key), then `_id` in the direction of the
   * last key, each with the index of its value in a keyset. A repeated key adds nothing to
   * the order (as in SQL); the first one counts.
   */
  private sortPaths(spec: CollectionSpec, keys: readonly SortKey[]): { path: string; desc: boolean; index: number }[] {
    const paths: { path: string; desc: boolean; index: number }[] = [];
    keys.forEach((key, index) => {
      const path = this.path(spec, key.field, true);
      if (!paths.some((p) => p.path === path)) paths.push({ path, desc: key.direction === 'desc', index });
    });
    if (!paths.some((p) => p.path === '_id')) paths.push({ path: '_id', desc: keys.length > 0 && keys[keys.length - 1].direction === 'desc', index: keys.length });
    return paths;
  }

  /**
   * "Comes after the keyset" in the sort's order, as SQLite's keyset ranges: for (k, _id)
   * ascending, `k > v` or `k = v and _id > i`. Null and missing sort first ascending, last
   * descending, in MongoDB as in SQLite.
   */
  private keysetFilter(paths: readonly { path: string; desc: boolean; index: number }[], after: Keyset): MongoDocument {
    const values: Scalar[] = [...after.values, after.id];
    const alternatives: MongoDocument[] = [];
    paths.forEach(({ path, desc, index }, i) => {
      const equal = paths.slice(0, i).map((p) => ({ [p.path]: values[p.index] }));
      const value = values[index];
      const bounds =
        value === null
          ? desc
            ? []
            : [{ [path]: { $ne: null } }]
          : desc
            ? [{ [path]: { $lt: value } }, ...(path === '_id' ? [] : [{ [path]: null }])]
            : [{ [path]: { $gt: value } }];
      for (const bound of bounds) alternatives.push({ $and: [...equal, bound] });
    });
    return { $or: alternatives };
  }


  /** Counted and read in the collection looked up once, so a promote meanwhile gives the old or the new result, whole. */
  async find<T extends Document>(collection: string, query: FindQuery = {}): Promise<Page<T>> {
    const { spec, physical } = await this.target(collection);
    const page = Math.max(1, Math.floor(query.page ?? 1));
    const pageSize = Math.max(1, Math.floor(query.pageSize ?? DEFAULT_PAGE_SIZE));
    const keys = query.sort ?? [];
    if (query.after) checkKeyset(query.after, keys, query.page);
    const filter = this.filter(spec, query.where, query.search);
    const paths = this.sortPaths(spec, keys);
    const sort: Sort = Object.fromEntries(paths.map((p) => [p.path, p.desc ? -1 : 1]));
    const selected = query.after ? ({ $and: [filter, this.keysetFilter(paths, query.after)] } as Filter<Stored>) : filter;
    const offset = (page - 1) * pageSize;
    const documents = this.physical(physical);
    // Counted as the SQLite adapter counts, so both refuse the same page numbers and report the same totals:
    // a page by number beyond the first needs to know whether the matches exceed SEARCH_SORT_LIMIT; any
    // other page counts only as far as the caller asks (countLimit), or not at all (skipTotal).
    const searching = query.search !== undefined && (searchKey(query.search.prefix) ?? '') !== '';
    const numbered = searching && offset > 0;
    const cap = numbered
      ? query.skipTotal
        ? SEARCH_SORT_LIMIT
        : query.countLimit === undefined
          ? undefined
          : Math.max(query.countLimit, SEARCH_SORT_LIMIT)
      : query.countLimit;
    const count = () => documents.countDocuments(filter, cap === undefined ? {} : { limit: cap + 1 });
    const counted = query.skipTotal && !numbered ? -1 : await count();
    if (numbered && counted > SEARCH_SORT_LIMIT) throw new CursorRequiredError(SEARCH_SORT_LIMIT);
    // `_s` is kept for the keyset of the last row and removed before the documents are returned.
    const rows = await documents.find(selected, { projection: { [POSITION]: 0 }, sort, skip: offset, limit: pageSize + 1 }).toArray();
    const keysetOf = (row: Stored): Keyset => ({
      values: keys.map((key) => {
        const value = this.path(spec, key.field, true).split('.').reduce<unknown>((v, part) => (v as MongoDocument | undefined)?.[part], row);
        return (value ?? null) as Scalar;
      }),
      id: row._id,
    });
    const next = rows.length > pageSize ? keysetOf(rows[pageSize - 1]) : null;
    const items = rows.slice(0, pageSize).map(({ _id: _key, [SEARCH]: _search, ...doc }) => doc as T);
    const lowerBound = query.countLimit !== undefined && counted > query.countLimit;
    return { items, total: query.skipTotal ? -1 : lowerBound ? query.countLimit! : counted, totalIsLowerBound: lowerBound, page, pageSize, next };
  }

  async countBy(collection: string, field: string, where?: FindQuery['where']): Promise<Record<string, number>> {
    const { spec, physical } = await this.target(collection);
    const path = this.path(spec, field);
    const rows = await this.physical(physical)
      .aggregate<{ _id: unknown; n: number }>([{ $match: this.filter(spec, where, undefined) }, { $group: { _id: `$${path}`, n: { $sum: 1 } } }])
      .toArray();
    // Keys as the SQLite adapter names them: 'true'/'false' for booleans, 'null' for null or missing.
    const counts = new Map<string, number>();
    for (const { _id: value, n } of rows) {
      const key = value === null || value === undefined ? 'null' : String(value);
      counts.set(key, (counts.get(key) ?? 0) + n);
    }
    return Object.fromEntries(counts);
  }

  /**
   * One transaction that repoints `to` at the collection of `from` (with its spec), moves
   * `fromProjection`'s checkpoint to `toProjection` and removes `from`'s row and checkpoint.
   * Nothing is renamed or dropped: a read that looked `to` up before keeps reading the old
   * collection, which is kept for `retiredGraceMs` and then dropped; a live batch of
   * `toProjection` running meanwhile writes the checkpoint too, so one of the two starts
   * again and a batch started again finds the checkpoint moved and writes nothing. A crash
   * at any point leaves either all of it or none.
   */
  async promote({ from, to, fromProjection, toProjection }: { from: string; to: string; fromProjection: string; toProjection: string }): Promise<void> {
    const source = collectionName(from);
    const target = collectionName(to);
    await this.transaction(async (session) => {
      const fromRow = await this.collections.findOne({ _id: source }, { session });
      if (!fromRow) throw new Error(`Unknown collection ${from}`);
      const toRow = await this.collections.findOne({ _id: target }, { session });
      const position = (await this.checkpoints.findOne({ _id: fromProjection }, { session }))?.position ?? -1;
      await this.checkpoints.updateOne({ _id: toProjection }, { $set: { position } }, { upsert: true, session });
      await this.checkpoints.deleteOne({ _id: fromProjection }, { session });
      await this.collections.deleteOne({ _id: source }, { session });
      const { _id, ...row } = promotedRow(fromRow, toRow, target, new Date());
      await this.collections.replaceOne({ _id }, row, { upsert: true, session });
    });
    await this.sweepRetired(target);
  }

  /**
   * Drops the collections that promotes replaced in `name` once their grace period is over
   * (never one that a row names as its collection), and forgets them.
   */
  private async sweepRetired(name: string): Promise<void> {
    if (this.sweeping.has(name)) return;
    this.sweeping.add(name);
    try {
      const row = await this.collections.findOne({ _id: name });
      for (const { physical } of retiredDue(row?.retired ?? [], new Date(), this.retiredGraceMs)) {
        if ((await this.collections.countDocuments({ physical }, { limit: 1 })) === 0) await this.dropPhysical(physical);
        await this.collections.updateOne({ _id: name }, { $pull: { retired: { physical } } });
      }
    } finally {
      this.sweeping.delete(name);
    }
  }

  async ping(): Promise<void> {
    await this.db.command({ ping: 1 });
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
