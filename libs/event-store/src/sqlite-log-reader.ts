import Database from 'better-sqlite3';
import { StoredEvent } from '@access-ledger/core';
import { COLUMNS, RawEventRow, toStored } from './sqlite-event-store';

/**
 * A read-only connection to the embedded store's file, for reading the log as stored text in
 * another thread than the store's own (the audit export's worker): SQLite in WAL mode lets it
 * read committed events while the store appends. It reads positions only, never writes.
 */
export class SqliteLogReader {
  private readonly db: Database.Database;
  private readonly page: Database.Statement<[number, number, number], RawEventRow>;

  constructor(file: string) {
    this.db = new Database(file, { readonly: true, fileMustExist: true });
    this.db.pragma('busy_timeout = 5000');
    this.page = this.db.prepare<[number, number, number], RawEventRow>(`SELECT ${COLUMNS} FROM events WHERE position BETWEEN ? AND ? ORDER BY position ASC LIMIT ?`).raw(true);
  }

  /** At most `limit` events of positions [from, through], in position order, data and metadata as stored. */
  readStored(from: number, through: number, limit: number): StoredEvent[] {
    return this.page.all(from, through, limit).map(toStored);
  }

  close(): void {
    this.db.close();
  }
}
