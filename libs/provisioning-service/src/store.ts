import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { FeedEvent } from '@access-ledger/provisioning';

/** An event whose provisioning failed for good, kept for an operator to retry (`POST /parked/:eventId/retry`). */
export interface ParkedProvisioning {
  readonly eventId: string;
  readonly position: number;
  readonly type: string;
  readonly event: FeedEvent;
  /** Attempts made in all, an operator's retries included. */
  readonly attempts: number;
  readonly error: string;
  readonly parkedAt: string;
  readonly lastAttemptAt: string;
}

/** Another process holds the checkpoint file: one consumer per checkpoint, or both would provision everything. */
export class CheckpointInUseError extends Error {
  constructor(file: string) {
    super(`Another provisioning process holds ${file} (the API runs provisioning in process unless RUN_PROVISIONING=false; give each instance its own DATA_DIR)`);
    this.name = 'CheckpointInUseError';
  }
}

interface ParkedRow {
  event_id: string;
  position: number;
  type: string;
  event: string;
  attempts: number;
  error: string;
  parked_at: string;
  last_attempt_at: string;
}

const rowOf = (row: ParkedRow): ParkedProvisioning => ({
  eventId: row.event_id,
  position: row.position,
  type: row.type,
  event: JSON.parse(row.event) as FeedEvent,
  attempts: row.attempts,
  error: row.error,
  parkedAt: row.parked_at,
  lastAttemptAt: row.last_attempt_at,
});

/**
 * The feed consumer's durable state in one SQLite file (DATA_DIR/provisioning.db): its checkpoint
 * (the feed position up to which every event's effect and outcome report are done) and its
 * parked events. Opened with an exclusive lock held for the process's life: a second consumer
 * on the same file is refused at start. Writes are fsynced (synchronous = FULL).
 */
export class ProvisioningStore {
  private constructor(private readonly db: Database.Database) {}

  static open(file: string): ProvisioningStore {
    mkdirSync(dirname(file), { recursive: true });
    const db = new Database(file, { timeout: 0 });
    try {
      db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      // The first write takes the lock, and locking_mode keeps it until the connection closes.
      db.exec(`
        CREATE TABLE IF NOT EXISTS checkpoint (id INTEGER PRIMARY KEY CHECK (id = 1), position INTEGER NOT NULL, updated_at TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS parked (
          event_id TEXT PRIMARY KEY, position INTEGER NOT NULL, type TEXT NOT NULL, event TEXT NOT NULL,
          attempts INTEGER NOT NULL, error TEXT NOT NULL, parked_at TEXT NOT NULL, last_attempt_at TEXT NOT NULL
        );
      `);
      db.prepare('INSERT OR IGNORE INTO checkpoint (id, position, updated_at) VALUES (1, 0, ?)').run(new Date(0).toISOString());
    } catch (error) {
      db.close();
      if ((error as { code?: string }).code?.startsWith('SQLITE_BUSY')) throw new CheckpointInUseError(file);
      throw error;
    }
    return new ProvisioningStore(db);
  }

  checkpoint(): number {
    return (this.db.prepare('SELECT position FROM checkpoint WHERE id = 1').get() as { position: number }).position;
  }

  saveCheckpoint(position: number, at: string): void {
    this.db.prepare('UPDATE checkpoint SET position = ?, updated_at = ? WHERE id = 1').run(position, at);
  }

  /** Records (or, parked again, updates) the entry: done before the checkpoint passes the event, so a crash parks it again rather than losing it. */
  park(entry: ParkedProvisioning): void {
    this.db
      .prepare(
        `INSERT INTO parked (event_id, position, type, event, attempts, error, parked_at, last_attempt_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (event_id) DO UPDATE SET attempts = excluded.attempts, error = excluded.error, last_attempt_at = excluded.last_attempt_at`,
      )
      .run(entry.eventId, entry.position, entry.type, JSON.stringify(entry.event), entry.attempts, entry.error, entry.parkedAt, entry.lastAttemptAt);
  }

  parked(eventId: string): ParkedProvisioning | undefined {
    const row = this.db.prepare('SELECT * FROM parked WHERE event_id = ?').get(eventId) as ParkedRow | undefined;
    return row && rowOf(row);
  }

  listParked(): ParkedProvisioning[] {
    return (this.db.prepare('SELECT * FROM parked ORDER BY position').all() as ParkedRow[]).map(rowOf);
  }

  countParked(): number {
    return (this.db.prepare('SELECT COUNT(*) AS n FROM parked').get() as { n: number }).n;
  }

  unpark(eventId: string): void {
    this.db.prepare('DELETE FROM parked WHERE event_id = ?').run(eventId);
  }

  ping(): void {
    this.db.prepare('SELECT 1').get();
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}
