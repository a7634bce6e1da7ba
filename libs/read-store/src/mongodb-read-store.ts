import { MongoBulkWriteError, MongoClient, MongoServerError } from 'mongodb';
import type {
  AnyBulkWriteOperation,
  Collection,
  Db,
  Filter,
  IndexDirection,
  MongoClientOptions,
  Document as MongoDocument,
  Sort,
  WriteError,
} from 'mongodb';
import {
  ApplyOptions,
  Change,
  CheckpointMovedError,
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
import { searchKey } from './sqlite-read-store';

export interface MongoReadStoreOptions {
  readonly uri: string;
  readonly dbName: string;
  /** Extra driver options (timeouts, TLS…); `ignoreUndefined` is always on. */
  readonly clientOptions?: MongoClientOptions;
}

/** A read-model document as stored: the caller's fields plus the key, position and search keys. */
type Stored = MongoDocument & { _id: string };
interface CheckpointRow {
  _id: string;
  position: number;
}
interface CollectionRow {
  _id: string;
  spec: CollectionSpec;
}
/** One guarded write; `upsert` marks the ones whose duplicate-key error means "already newer". */
interface Op {
  readonly upsert: boolean;
  readonly model: AnyBulkWriteOperation<Stored>;
}

const COLLECTIONS = '_collections';
const CHECKPOINTS = '_checkpoints';
const POSITION = '_position';
const SEARCH = '_s';
/** Fields the adapter adds to every stored document; a document may not carry them itself. */
const RESERVED_FIELDS: ReadonlySet<string> = new Set(['_id', POSITION, SEARCH]);
/** Hides the adapter's fields, so reads return exactly the document that was written. */
const HIDDEN = { _id: 0, [POSITION]: 0, [SEARCH]: 0 } as const;

const DUPLICATE_KEY = 11000;
const NAMESPACE_NOT_FOUND = 26;
const NAMESPACE_EXISTS = 48;
const GET_MANY_CHUNK = 1000;

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
const searchPath = (field: string) => `${SEARCH}.${field}`;

const hasCode = (error: unknown, code: number): boolean => error instanceof MongoServerError && error.code === code;

/**
 * A prefix as an anchored regular expression that matches it literally. Every PCRE
 * metacharacter is escaped; NUL, which a pattern may not contain, is written as `\x00`.
 * No flags: the prefix is already case-folded like the stored key, and an anchored,
 * case-sensitive regex is what MongoDB turns into an index range scan.
 */
const prefixPattern = (prefix: string): string => `^${prefix.replace(/[\\^$.|?*+()[\]{}]/g, '\\$&').replace(/\0/g, '\\x00')}`;

/**
 * Duplicate-key errors of guarded upserts, as indexes into `ops`, when they are the only
 * errors of a failed bulk write; null for any other failure (which must be rethrown).
 */
function supersededUpserts(error: unknown, ops: readonly Op[]): number[] | null {
  if (!(error instanceof MongoBulkWriteError) || error.err || error.result?.getWriteConcernError()) return null;
  const writeErrors = ([] as WriteError[]).concat(error.writeErrors ?? []);
  if (writeErrors.length === 0) return null;
  if (!writeErrors.every((e) => e.code === DUPLICATE_KEY && ops[e.index]?.upsert === true)) return null;
  return writeErrors.map((e) => e.index);
}

/**
 * MongoDB read store: one collection per read-store collection, holding
 * `{ _id: id, ...doc, _position, _s: { <searchable field>: case-folded value } }`.
 * Specs live in `_collections` (so another process knows them) and checkpoints in
 * `_checkpoints`. It answers every query as the SQLite adapter does: searchable fields
 * are sorted and prefix-searched by their case-folded key (folded in JavaScript, with the
 * same `searchKey`), ties are broken by id in the direction of the last sort key.
 *
 * There are no multi-document transactions (they would need a replica set), so
 * `applyChanges` relies on the per-document position guard instead — see there.
 */
export class MongoReadStore implements ReadStore {
  private readonly client: MongoClient;
  private readonly db: Db;
  private readonly specs = new Map<string, CollectionSpec>();

  constructor(options: MongoReadStoreOptions) {
    // Undefined fields are dropped, as JSON.stringify drops them in the SQLite adapter.
    this.client = new MongoClient(options.uri, { ...options.clientOptions, ignoreUndefined: true });
    this.db = this.client.db(options.dbName);
  }

  /** Connects and pings once, so a wrong URI or an unreachable server fails at start-up. */
  static async connect(options: MongoReadStoreOptions): Promise<MongoReadStore> {
    const store = new MongoReadStore(options);
    try {
      await store.client.connect();
      await store.ping();
    } catch (error) {
      await store.client.close().catch(() => undefined);
      throw error;
    }
    return store;
  }

  private get collections(): Collection<CollectionRow> {
    return this.db.collection<CollectionRow>(COLLECTIONS);
  }

  private get checkpoints(): Collection<CheckpointRow> {
    return this.db.collection<CheckpointRow>(CHECKPOINTS);
  }

  private documents(collection: string): Collection<Stored> {
    return this.db.collection<Stored>(collectionName(collection));
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

  async ensureCollection(spec: CollectionSpec): Promise<void> {
    const name = collectionName(spec.name);
    for (const field of [...spec.fields, ...(spec.searchable ?? [])]) fieldName(field);
    const wanted = this.indexKeys(spec);
    try {
      // Created explicitly: a collection without indexes must exist too, for promote to rename it.
      await this.db.createCollection(name);
    } catch (error) {
      if (!hasCode(error, NAMESPACE_EXISTS)) throw error;
    }
    const collection = this.documents(name);
    // Compared by key pattern rather than name, so indexes that came along with a rename are not duplicated.
    const existing = new Set((await collection.listIndexes().toArray()).map((index) => Object.keys(index.key as MongoDocument).join(',')));
    const missing = wanted.filter((key) => !existing.has(Object.keys(key).join(',')));
    if (missing.length > 0) await collection.createIndexes(missing.map((key) => ({ key })));
    const stored = JSON.parse(JSON.stringify(spec)) as CollectionSpec;
    await this.collections.replaceOne({ _id: name }, { spec: stored }, { upsert: true });
    this.specs.set(name, spec);
  }

  private async spec(collection: string): Promise<CollectionSpec> {
    let spec = this.specs.get(collection);
    if (!spec) {
      const row = await this.collections.findOne({ _id: collectionName(collection) });
      if (!row) throw new Error(`Unknown collection ${collection}`);
      spec = row.spec;
      this.specs.set(collection, spec);
    }
    return spec;
  }

  /** The path a field filters or sorts on: its folded key when it is searchable (as SQLite's `column`). */
  private path(spec: CollectionSpec, field: string, forSort = false): string {
    if (field === 'id') return '_id';
    if ((spec.searchable ?? []).includes(field) && (forSort || !spec.fields.includes(field))) return searchPath(field);
    if (!spec.fields.includes(field)) throw new UnknownFieldError(spec.name, field);
    return field;
  }

  async dropCollection(name: string): Promise<void> {
    const collection = collectionName(name);
    try {
      await this.db.dropCollection(collection);
    } catch (error) {
      // Servers before 7.0 refuse to drop a missing collection.
      if (!hasCode(error, NAMESPACE_NOT_FOUND)) throw error;
    }
    await this.collections.deleteOne({ _id: collection });
    this.specs.delete(collection);
  }

  /**
   * Writes the changes, then the checkpoint. Not one transaction: a crash in between
   * leaves documents written with the old checkpoint, and the runner applies the batch
   * again from there. That is safe because every write is guarded by the document's
   * position — an upsert, patch or delete only touches a document whose `_position` is
   * below the change's — so re-applied changes are no-ops and the result is the same as
   * applying the batch once.
   *
   * The changes of a collection go out as one unordered bulk write per "round", a round
   * holding at most one change per document (the second change to a document goes to the
   * second round, and so on): unordered bulk writes do not stop at the duplicate-key error
   * of an upsert already superseded, but the driver groups them by operation type and so
   * may reorder them, which is harmless only between different documents. Batches from
   * `projectBatch` have one change per document, hence one bulk write per collection.
   *
   * With `expectedCheckpoint`, the stored checkpoint is checked before anything is
   * written (so a writer whose checkpoint was moved writes nothing), and moved to
   * `checkpoint` only if it still holds the expected value (compare-and-set).
   * Without a transaction, a checkpoint moved between the check and the compare-and-set
   * (a promote landing during this batch's writes) is detected only at the end, after the
   * guarded writes; CheckpointMovedError is thrown all the same.
   */
  async applyChanges(projection: string, changes: readonly Change[], checkpoint: number, options: ApplyOptions = {}): Promise<void> {
    // Everything is validated and built before the first write.
    const plan = new Map<string, { rounds: Op[][]; seen: Map<string, number> }>();
    for (const change of changes) {
      const spec = await this.spec(change.collection);
      let entry = plan.get(spec.name);
      if (!entry) plan.set(spec.name, (entry = { rounds: [], seen: new Map() }));
      const round = entry.seen.get(change.id) ?? 0;
      entry.seen.set(change.id, round + 1);
      (entry.rounds[round] ??= []).push(this.operation(spec, change));
    }
    const expected = options.expectedCheckpoint;
    if (expected !== undefined) {
      const stored = await this.getCheckpoint(projection);
      if (stored !== expected) throw new CheckpointMovedError(projection, expected, stored);
    }
    for (const [name, { rounds }] of plan) {
      for (const ops of rounds) await this.write(this.documents(name), ops);
    }
    await this.storeCheckpoint(projection, checkpoint, expected);
  }

  private operation(spec: CollectionSpec, change: Change): Op {
    const below = { $lt: change.position };
    const searchable = spec.searchable ?? [];
    switch (change.op) {
      case 'upsert': {
        for (const key of Object.keys(change.doc)) {
          if (RESERVED_FIELDS.has(key)) throw new Error(`Field name ${key} is reserved by the read store (collection ${spec.name}, id ${change.id})`);
        }
        const replacement = {
          _id: change.id,
          ...change.doc,
          [POSITION]: change.position,
          [SEARCH]: Object.fromEntries(searchable.map((f) => [f, searchKey(change.doc[f])])),
        };
        // Matches the document only when it is older (or was not written by this store); when it is
        // newer the upsert tries to insert a second `_id` and fails with a duplicate key: a no-op.
        const filter = { _id: change.id, $or: [{ [POSITION]: below }, { [POSITION]: { $exists: false } }] };
        return { upsert: true, model: { replaceOne: { filter, replacement, upsert: true } } };
      }
      case 'patch': {
        const $set: MongoDocument = { [POSITION]: change.position };
        const $unset: MongoDocument = {};
        for (const [key, value] of Object.entries(change.set)) {
          // `$set` reads dots as paths and `$` as operators; SQLite merges keys literally.
          if (RESERVED_FIELDS.has(key) || key.includes('.') || key.startsWith('$')) {
            throw new Error(`Cannot patch field ${key} (collection ${spec.name}, id ${change.id})`);
          }
          // An undefined value removes the field, as the JSON merge of the SQLite adapter does.
          if (value === undefined) $unset[key] = '';
          else $set[key] = value;
          if (searchable.includes(key)) $set[searchPath(key)] = searchKey(value);
        }
        const update = Object.keys($unset).length > 0 ? { $set, $unset } : { $set };
        // No upsert: a patch of a missing (or newer) document changes nothing.
        return { upsert: false, model: { updateOne: { filter: { _id: change.id, [POSITION]: below }, update } } };
      }
      case 'delete':
        return { upsert: false, model: { deleteOne: { filter: { _id: change.id, [POSITION]: below } } } };
    }
  }

  /**
   * One round (distinct documents) as an unordered bulk write. Duplicate-key errors of
   * upserts are superseded changes, except when another writer inserted the document
   * between our match and our insert (the server does not retry such an upsert, its
   * filter being more than the `_id`): those upserts are sent once more, where a
   * duplicate key can only mean the document is at least as new.
   */
  private async write(collection: Collection<Stored>, ops: readonly Op[], retry = true): Promise<void> {
    if (ops.length === 0) return;
    try {
      await collection.bulkWrite(ops.map((op) => op.model), { ordered: false });
    } catch (error) {
      const superseded = supersededUpserts(error, ops);
      if (!superseded) throw error;
      if (retry) await this.write(collection, superseded.map((i) => ops[i]), false);
    }
  }

  private async storeCheckpoint(projection: string, checkpoint: number, expected: number | undefined): Promise<void> {
    const set = { $set: { position: checkpoint } };
    if (expected === undefined) {
      await this.checkpoints.updateOne({ _id: projection }, set, { upsert: true });
      return;
    }
    let moved: boolean;
    if (expected === -1) {
      // "None yet" is a missing row or a row at -1: upsert on both, and a row holding any
      // other position makes the insert collide with its `_id`.
      try {
        await this.checkpoints.updateOne({ _id: projection, position: -1 }, set, { upsert: true });
        moved = false;
      } catch (error) {
        if (!hasCode(error, DUPLICATE_KEY)) throw error;
        moved = true;
      }
    } else {
      moved = (await this.checkpoints.updateOne({ _id: projection, position: expected }, set)).matchedCount === 0;
    }
    if (moved) throw new CheckpointMovedError(projection, expected, await this.getCheckpoint(projection));
  }

  async getCheckpoint(projection: string): Promise<number> {
    const row = await this.checkpoints.findOne({ _id: projection });
    return row?.position ?? -1;
  }

  async get<T extends Document>(collection: string, id: string): Promise<T | null> {
    checkIds(collection, [id]);
    await this.spec(collection);
    return (await this.documents(collection).findOne({ _id: id }, { projection: HIDDEN })) as T | null;
  }

  async getMany<T extends Document>(collection: string, ids: readonly string[]): Promise<Map<string, T>> {
    checkIds(collection, ids);
    await this.spec(collection);
    const result = new Map<string, T>();
    const unique = [...new Set(ids)];
    for (let i = 0; i < unique.length; i += GET_MANY_CHUNK) {
      const rows = await this.documents(collection)
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

  async find<T extends Document>(collection: string, query: FindQuery = {}): Promise<Page<T>> {
    const spec = await this.spec(collection);
    const page = Math.max(1, Math.floor(query.page ?? 1));
    const pageSize = Math.max(1, Math.floor(query.pageSize ?? DEFAULT_PAGE_SIZE));
    const keys = query.sort ?? [];
    if (query.after) checkKeyset(query.after, keys, query.page);
    const filter = this.filter(spec, query.where, query.search);
    const paths = this.sortPaths(spec, keys);
    const sort: Sort = Object.fromEntries(paths.map((p) => [p.path, p.desc ? -1 : 1]));
    const selected = query.after ? ({ $and: [filter, this.keysetFilter(paths, query.after)] } as Filter<Stored>) : filter;
    const offset = (page - 1) * pageSize;
    const documents = this.documents(collection);
    // Counted as the SQLite adapter counts, so both refuse the same page numbers and report the same totals.
    const searching = query.search !== undefined && (searchKey(query.search.prefix) ?? '') !== '';
    const cap = searching
      ? query.skipTotal
        ? SEARCH_SORT_LIMIT
        : query.countLimit === undefined
          ? undefined
          : Math.max(query.countLimit, SEARCH_SORT_LIMIT)
      : query.countLimit;
    const count = () => documents.countDocuments(filter, cap === undefined ? {} : { limit: cap + 1 });
    const counted = query.skipTotal && !searching ? -1 : await count();
    if (searching && counted > SEARCH_SORT_LIMIT && offset > 0) throw new CursorRequiredError(SEARCH_SORT_LIMIT);
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
    const spec = await this.spec(collection);
    const path = this.path(spec, field);
    const rows = await this.documents(collection)
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
   * Renames `from` over `to` (atomic, dropping the old `to`), then moves the checkpoint,
   * then the spec. A crash after the rename leaves the rebuilt data under the live name
   * with the live checkpoint: the runner re-applies from there, a no-op for every
   * document the rebuild already has (position guard), and running the rebuild again
   * restores the rest.
   */
  async promote({ from, to, fromProjection, toProjection }: { from: string; to: string; fromProjection: string; toProjection: string }): Promise<void> {
    const spec = await this.spec(from);
    await this.db.renameCollection(collectionName(from), collectionName(to), { dropTarget: true });
    const position = await this.getCheckpoint(fromProjection);
    await this.checkpoints.updateOne({ _id: toProjection }, { $set: { position } }, { upsert: true });
    await this.checkpoints.deleteOne({ _id: fromProjection });
    await this.collections.deleteOne({ _id: from });
    this.specs.delete(from);
    // Records the spec under its new name and creates any index the renamed collection lacks.
    await this.ensureCollection({ ...spec, name: to });
  }

  async ping(): Promise<void> {
    await this.db.command({ ping: 1 });
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
