/**
 * Keep a pg Pool's connection failures from ending the process. The server can end a connection at any time (restart,
 * failover, a dropped database): pg emits 'error' on the idle client (the pool's 'error') or, for a client checked out
 * between two statements of a transaction, on the client itself — and an 'error' event without a listener is an
 * uncaught exception. With these listeners the pool drops the broken client and the statement that meets it fails with
 * the error, which its caller reports. `say` hears each failure (default: nothing).
 */
type Emits = { on(event: "error", fn: (err: Error & { code?: string }) => void): unknown };
export function surviveConnectionErrors<P extends Emits & { on(event: "connect", fn: (client: Emits) => void): unknown }>(pool: P, say: (err: Error & { code?: string }) => void = () => {}): P {
  pool.on("error", say);
  pool.on("connect", (client) => void client.on("error", say));
  return pool;
}

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

/**
 * One transaction under the rollup lock on a dedicated connection: committed when `fn` returns (whatever it returns),
 * rolled back when it throws; the connection is released either way.
 */
export async function underRollupLock<T>(connect: () => Promise<Db & { release(): void }>, fn: (c: Db) => Promise<T>): Promise<T> {
  const c = await connect();
  try {
    await c.query("BEGIN");
    await c.query(`SELECT pg_advisory_xact_lock($1)`, [ROLLUP_LOCK]);
    const out = await fn(c);
    await c.query("COMMIT");
    return out;
  } catch (err) {
    await c.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    c.release();
  }
}
