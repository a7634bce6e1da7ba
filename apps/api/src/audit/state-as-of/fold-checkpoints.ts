import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { createHash, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { DomainEvent } from '@access-ledger/core';
import { FoldCheckpoint, Replayable, StateAt, checkpointMatches, checkpointServes, stateAtFrom } from '@access-ledger/audit';
import { CollectionSpec, Keyset, ReadStore } from '@access-ledger/read-store';
import { READ_STORE } from '@access-ledger/platform';
import { AuditStreams } from '../audit-streams';

/**
 * The read-store collection of fold checkpoints. Not a projection's: the state endpoints write
 * it, lazily, for the streams auditors replay (docs/decisions.md, "Fold checkpoints").
 */
export const FOLD_CHECKPOINTS: CollectionSpec = {
  name: 'audit_fold_checkpoints',
  fields: ['streamId', 'version', 'revision'],
  indexes: [['streamId', 'version', 'revision']],
};

/** What the collection holds per checkpoint: the state as its JSON text (whatever its member names, and read back exactly as JSON gives it). */
type CheckpointDocument = Omit<FoldCheckpoint, 'state'> & {
  readonly streamId: string;
  readonly version: string;
  readonly stateJson: string;
};

/** The libraries whose code a folded state follows from: the deciders, their catalogues, core. */
const FOLD_LIBRARIES = ['core', 'directory', 'access-requests', 'care-access', 'audit'];
/** The layout of libs/ beside apps/ is the same in the sources and in dist/. */
const LIBS_DIR = join(__dirname, '..', '..', '..', '..', '..', 'libs');
/** The latest instant a Date holds: every checkpoint serves it. */
const LATEST_INSTANT = new Date(8.64e15).toISOString();
/** What the documents look like; raised when that changes. */
const DOCUMENT_FORMAT = 1;

/**
 * The version a checkpoint is written under: sha256 of the code of the domain libraries (their
 * sources under ts-jest, their built files in dist), so any change of an `evolve`, a catalogue, an
 * upcaster or what they use makes every older checkpoint unused, without anyone remembering to
 * bump a number. When the files cannot be read, a random version: this process then reuses only
 * what it wrote itself.
 */
export const foldCodeVersion = (libsDir = LIBS_DIR): string => {
  const hash = createHash('sha256').update(`fold-checkpoints:${DOCUMENT_FORMAT}\n`);
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'testing') walk(path);
      } else if (/\.(ts|js)$/.test(entry.name) && !/\.d\.ts$|\.spec\.(ts|js)$/.test(entry.name)) files.push(path);
    }
  };
  try {
    for (const library of FOLD_LIBRARIES) walk(join(libsDir, library, 'src'));
  } catch {
    return `unversioned-${randomUUID()}`;
  }
  if (files.length === 0) return `unversioned-${randomUUID()}`;
  for (const file of files.sort()) hash.update(`${relative(libsDir, file)}\n`).update(readFileSync(file)).update('\n');
  return hash.digest('hex');
};

/**
 * States as of an instant, from fold checkpoints (libs/audit `stateAtFrom`): the latest checkpoint
 * of the stream that serves the instant, if its event is still the one stored at its revision,
 * then the events after it up to the instant; the checkpoints the fold passes that were not there
 * are written on the way. The answer is the one folding from the stream's first event gives
 * (specs: libs/audit replay.spec.ts, test/audit-fold-checkpoints.api.spec.ts).
 *
 * A checkpoint that cannot be read or written costs only time: the state is folded from the start
 * (or from an earlier checkpoint), and a failed write is logged and left.
 */
@Injectable()
export class FoldCheckpoints implements OnModuleInit {
  private readonly logger = new Logger(FoldCheckpoints.name);
  readonly version: string;
  private collection: Promise<void> | null = null;

  constructor(
    private readonly streams: AuditStreams,
    @Inject(READ_STORE) private readonly reads: ReadStore,
  ) {
    this.version = foldCodeVersion();
  }

  /** The collection is made at start (and again on first use, should that have failed). */
  async onModuleInit(): Promise<void> {
    await this.ensureCollection().catch((error) => this.logger.warn(`Fold checkpoints collection not made yet: ${error instanceof Error ? error.message : String(error)}`));
  }

  async stateAt<E extends DomainEvent, S>(replayable: Replayable<E, S>, streamId: string, at: string): Promise<StateAt<S> | null> {
    const checkpoint = await this.latestServing<S>(streamId, at);
    // From the checkpoint's own event (one event more), to check it is still the one stored there.
    const recorded = await this.streams.readUpTo(streamId, at, undefined, checkpoint ? checkpoint.revision : 0);
    const usable = checkpoint !== null && recorded.length > 0 && checkpointMatches(checkpoint, recorded[0]);
    const { folded, checkpoints } = usable ? stateAtFrom(replayable, checkpoint, recorded.slice(1), at) : stateAtFrom(replayable, null, checkpoint ? await this.streams.readUpTo(streamId, at) : recorded, at);
    if (checkpoints.length > 0) await this.save(streamId, checkpoints);
    return folded;
  }

  /**
   * Writes the stream's checkpoints up to `revision` that are not there yet, ahead of any replay
   * (FoldCheckpointKeeper): from the latest checkpoint, if its event is still the one stored at
   * its revision, else from the start. Returns how many it wrote.
   */
  async keepUpTo<E extends DomainEvent, S>(replayable: Replayable<E, S>, streamId: string, revision: number): Promise<number> {
    const latest = await this.latestServing<S>(streamId, LATEST_INSTANT);
    if (latest !== null && latest.revision >= revision) return 0;
    const from = latest?.revision ?? 0;
    const recorded = await this.streams.read(streamId, { fromRevision: from, maxCount: revision - from + 1 });
    const usable = latest !== null && recorded.length > 0 && checkpointMatches(latest, recorded[0]);
    const events = usable ? recorded.slice(1) : latest !== null ? await this.streams.read(streamId, { maxCount: revision + 1 }) : recorded;
    const { checkpoints } = stateAtFrom(replayable, usable ? latest : null, events, LATEST_INSTANT);
    if (checkpoints.length > 0) await this.save(streamId, checkpoints);
    return checkpoints.length;
  }

  /** The checkpoint of the highest revision that serves `at`, written under this code's version. */
  private async latestServing<S>(streamId: string, at: string): Promise<FoldCheckpoint<S> | null> {
    try {
      await this.ensureCollection();
      let after: Keyset | undefined;
      do {
        const page = await this.reads.find<CheckpointDocument>(FOLD_CHECKPOINTS.name, {
          where: { streamId, version: this.version },
          sort: [{ field: 'revision', direction: 'desc' }],
          pageSize: 10,
          skipTotal: true,
          after,
        });
        // Latest times only grow with the revision: the first that serves is the one.
        const serving = page.items.find((doc) => checkpointServes(doc, at));
        if (serving) {
          const { revision, position, eventId, streamHash, latestOccurredAt, stateJson } = serving;
          return { revision, position, eventId, streamHash, latestOccurredAt, state: JSON.parse(stateJson) as S };
        }
        after = page.next ?? undefined;
      } while (after);
    } catch (error) {
      this.logger.warn(`Fold checkpoints of ${streamId} not read: ${error instanceof Error ? error.message : String(error)}`);
    }
    return null;
  }

  private async save(streamId: string, checkpoints: readonly FoldCheckpoint<unknown>[]): Promise<void> {
    try {
      await this.ensureCollection();
      const changes = checkpoints.map((checkpoint) => {
        const { state, ...rest } = checkpoint;
        const doc: CheckpointDocument = { streamId, version: this.version, ...rest, stateJson: JSON.stringify(state) };
        return { op: 'upsert' as const, collection: FOLD_CHECKPOINTS.name, id: `${streamId}@${checkpoint.revision}:${this.version}`, doc: { ...doc }, position: checkpoint.position };
      });
      // The read store writes documents with a checkpoint of their writer: the position of the latest event a checkpoint was taken after (nothing reads it).
      await this.reads.applyChanges(FOLD_CHECKPOINTS.name, changes, Math.max(...checkpoints.map((c) => c.position)));
    } catch (error) {
      this.logger.warn(`Fold checkpoints of ${streamId} not written: ${error instanceof Error ? error.message : String(error)}`);
    }
  }

  private ensureCollection(): Promise<void> {
    this.collection ??= this.reads.ensureCollection(FOLD_CHECKPOINTS).catch((error) => {
      this.collection = null;
      throw error;
    });
    return this.collection;
  }
}
