import type { AnyBulkWriteOperation, Document as MongoDocument } from 'mongodb';
import { Change, CollectionSpec } from './read-store';
import { searchKey } from './sqlite-read-store';

/**
 * The MongoDB read store's decisions as pure functions of what it read (no driver calls):
 * which writes a batch makes, which fields a changed spec backfills, what a promote records,
 * which replaced collections may be dropped, whether the server can run transactions.
 */

/** A read-model document as stored: the caller's fields plus the key, position and search keys. */
export type Stored = MongoDocument & { _id: string };

/** A collection replaced by a promote, kept for the reads that resolved it before. */
export interface RetiredCollection {
  readonly physical: string;
  readonly at: Date;
}

/**
 * A read-store collection as `_collections` records it: its spec, the MongoDB collection
 * that holds its documents (`physical`; a row written before there was one names its own
 * collection), the collections promotes replaced, and searchable fields whose keys are
 * still being filled in (so that a start interrupted during a backfill finishes it).
 */
export interface CollectionRow {
  readonly _id: string;
  readonly spec: CollectionSpec;
  readonly physical?: string;
  readonly retired?: readonly RetiredCollection[];
  readonly backfilling?: readonly string[];
}

/** The collection and spec a batch or a read uses. */
export interface Target {
  readonly spec: CollectionSpec;
  readonly physical: string;
}

export const POSITION = '_position';
export const SEARCH = '_s';
/** Fields the adapter adds to every stored document; a document may not carry them itself. */
export const RESERVED_FIELDS: ReadonlySet<string> = new Set(['_id', POSITION, SEARCH]);
export const searchPath = (field: string) => `${SEARCH}.${field}`;

export const physicalOf = (row: Pick<CollectionRow, '_id' | 'physical'>): string => row.physical ?? row._id;

/**
 * A fresh MongoDB collection name for a read-store collection: its name, a hyphen (which no
 * read-store name may hold, so it never meets one) and a token unique to this creation.
 */
export const physicalName = (collection: string, token: string): string => `${collection}-${token}`;

/** Equality on the stored position, a document stored without one (not written by this store) matching null. */
const positionIs = (position: unknown) => (typeof position === 'number' ? position : null);

function operation(spec: CollectionSpec, change: Change): AnyBulkWriteOperation<Stored> {
  const searchable = spec.searchable ?? [];
  const filter = { _id: change.id };
  switch (change.op) {
    case 'upsert': {
      for (const key of Object.keys(change.doc)) {
        if (RESERVED_FIELDS.has(key)) throw new Error(`Field name ${key} is reserved by the read store (collection ${spec.name}, id ${change.id})`);
      }
      const replacement = {
        ...change.doc,
        [POSITION]: change.position,
        [SEARCH]: Object.fromEntries(searchable.map((f) => [f, searchKey(change.doc[f])])),
      };
      return { replaceOne: { filter, replacement, upsert: true } };
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
      return { updateOne: { filter, update: Object.keys($unset).length > 0 ? { $set, $unset } : { $set } } };
    }
    case 'delete':
      return { deleteOne: { filter } };
  }
}

/**
 * The writes of a batch, per MongoDB collection in the order of the changes, given the
 * positions its documents had when the batch's transaction read them (`stored`: per
 * read-store collection, id → position; a missing id is a missing document). The same
 * rules as the SQLite adapter, change by change: a change at or below the document's
 * position is left out, a patch or delete of a missing document too, and a later change
 * of the batch sees what an earlier one did. Throws, before anything is written, on a
 * collection without a target or a change that may not be stored.
 */
export function planBatch(
  changes: readonly Change[],
  targets: ReadonlyMap<string, Target>,
  stored: ReadonlyMap<string, ReadonlyMap<string, number | null>>,
): Map<string, AnyBulkWriteOperation<Stored>[]> {
  const plan = new Map<string, AnyBulkWriteOperation<Stored>[]>();
  const state = new Map<string, Map<string, { exists: boolean; position: number | null }>>();
  for (const change of changes) {
    const target = targets.get(change.collection);
    if (!target) throw new Error(`Unknown collection ${change.collection}`);
    const model = operation(target.spec, change);
    let documents = state.get(change.collection);
    if (!documents) state.set(change.collection, (documents = new Map()));
    const known = stored.get(change.collection);
    const current =
      documents.get(change.id) ?? (known?.has(change.id) ? { exists: true, position: known.get(change.id)! } : { exists: false, position: null });
    if (current.exists && current.position !== null && current.position >= change.position) continue;
    if (change.op !== 'upsert' && !current.exists) continue;
    documents.set(change.id, change.op === 'delete' ? { exists: false, position: null } : { exists: true, position: change.position });
    let ops = plan.get(target.physical);
    if (!ops) plan.set(target.physical, (ops = []));
    ops.push(model);
  }
  return plan;
}

/**
 * The searchable fields whose keys `ensureCollection(spec)` must fill in on the documents
 * already stored: those the stored spec did not have searchable, and those an interrupted
 * start left half-filled. None for a collection created now (it holds no documents).
 */
export function backfillFields(row: Pick<CollectionRow, 'spec' | 'backfilling'> | null, spec: CollectionSpec): string[] {
  if (!row) return [];
  const before = new Set(row.spec.searchable ?? []);
  const pending = new Set(row.backfilling ?? []);
  return [...new Set(spec.searchable ?? [])].filter((field) => !before.has(field) || pending.has(field));
}

/**
 * Sets the search keys of `fields` on documents read with their position, each update
 * guarded by that position: a document written since (by a batch, which writes its keys
 * itself) is not matched, and is read and filled again by the caller.
 */
export const backfillOperations = (docs: readonly Stored[], fields: readonly string[]): AnyBulkWriteOperation<Stored>[] =>
  docs.map((doc) => ({
    updateOne: {
      filter: { _id: doc._id, [POSITION]: positionIs(doc[POSITION]) },
      update: { $set: Object.fromEntries(fields.map((field) => [searchPath(field), searchKey(doc[field])])) },
    },
  }));

/**
 * The row of `to` after promoting `from` in its place: `from`'s collection and spec (under
 * the name `to`), and `to`'s collection retired at `now`, with any earlier retired ones.
 */
export function promotedRow(from: CollectionRow, to: CollectionRow | null, toName: string, now: Date): CollectionRow {
  const retired = [...(to?.retired ?? []), ...(to ? [{ physical: physicalOf(to), at: now }] : []), ...(from.retired ?? [])];
  return {
    _id: toName,
    spec: { ...from.spec, name: toName },
    physical: physicalOf(from),
    retired,
    ...(from.backfilling && from.backfilling.length > 0 ? { backfilling: from.backfilling } : {}),
  };
}

/** The retired collections whose grace period is over at `now`. */
export const retiredDue = (retired: readonly RetiredCollection[], now: Date, graceMs: number): RetiredCollection[] =>
  retired.filter((r) => now.getTime() - new Date(r.at).getTime() >= graceMs);

/**
 * Null when the server behind a `hello` answer runs multi-document transactions (a replica
 * set member, or mongos in front of a sharded cluster), otherwise why not, as the line a
 * failed start prints.
 */
export function transactionsUnsupported(hello: MongoDocument): string | null {
  if (typeof hello.setName === 'string' || hello.msg === 'isdbgrid') return null;
  return (
    'MongoDB read store: the server is a standalone mongod, which cannot run the multi-document transactions that write a batch ' +
    'with its checkpoint; run it as a replica set (one node will do: mongod --replSet rs0, then rs.initiate() once) or use a sharded cluster, ' +
    'and name the set in MONGODB_URI (e.g. mongodb://host:27017/?replicaSet=rs0)'
  );
}
