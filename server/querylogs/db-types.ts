/** The one thing the query-log code needs from a database handle (a pg Pool, Client or PoolClient). Pure. */
export interface Db {
  query(text: string, values?: unknown[]): Promise<{ rows: any[]; rowCount?: number | null }>;
}

/** Where the data lives: Technitium's dns_logs (read-only) and dnsdeck's own database (rollups, dictionary). */
export interface Stores {
  logs: Db;
  deck: Db;
  /** Row id in querylog_state (one per Technitium database; "default"). */
  stateId?: string;
}

export const STATE_ID = "default";

/** Advisory lock serialising rollup writers on one dnsdeck database. */
export const ROLLUP_LOCK = 72707370;

/** Moves the epoch: in every transaction that changes what the rollups count (a step, a day packed, causes rebuilt). */
export const BUMP_EPOCH = `UPDATE querylog_state SET epoch = epoch + 1 WHERE id = $1`;
