import "server-only";
import pg from "pg";
import { env } from "@/server/env";

/**
 * One replica at a time for a background worker: a PostgreSQL session advisory lock held on a dedicated connection.
 * `isLeader()` (call it at every tick) takes the lock with pg_try_advisory_lock when not held — false: another process
 * holds it, skip this tick — and keeps it for the life of the connection. When the holder dies its connection closes
 * and PostgreSQL frees the lock, so the next tick of another replica takes over. A broken connection is dropped and
 * reopened on the next tick (the lock is lost with it, honestly: another replica may have taken it meanwhile).
 *
 * The key is the pair (LOCK_CLASS, id): visible in pg_locks as locktype 'advisory', classid LOCK_CLASS, objid id.
 */
export const LOCK_CLASS = 0x646e73; // "dns"
export const ROLLUP_WORKER_LOCK = 1;

interface Leader {
  client: pg.Client | null;
  held: boolean;
  connecting?: Promise<pg.Client>;
}

const g = globalThis as unknown as { __dnsdeckLeaders?: Map<number, Leader> };

function state(id: number): Leader {
  g.__dnsdeckLeaders ??= new Map();
  let s = g.__dnsdeckLeaders.get(id);
  if (!s) g.__dnsdeckLeaders.set(id, (s = { client: null, held: false }));
  return s;
}

export async function isLeader(id: number, url = env().DATABASE_URL): Promise<boolean> {
  const s = state(id);
  if (!s.client) {
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000, application_name: `dnsdeck-leader-${id}/${process.pid}` });
    c.on("error", () => drop(s, c));
    c.on("end", () => drop(s, c));
    await c.connect();
    s.client = c;
    s.held = false;
  }
  const c = s.client;
  try {
    if (s.held) {
      await c.query("SELECT 1"); // still connected, so still holding
      return true;
    }
    const r = await c.query<{ ok: boolean }>("SELECT pg_try_advisory_lock($1::int, $2::int) AS ok", [LOCK_CLASS, id]);
    s.held = r.rows[0]?.ok === true;
    return s.held;
  } catch (err) {
    drop(s, c);
    throw err;
  }
}

function drop(s: Leader, c: pg.Client): void {
  if (s.client !== c) return;
  s.client = null;
  s.held = false;
  c.end().catch(() => {});
}

/** Give the lock up (process shutting down): another replica takes over on its next tick. */
export async function resign(id: number): Promise<void> {
  const s = state(id);
  const c = s.client;
  if (!c) return;
  s.client = null;
  s.held = false;
  await c.end().catch(() => {});
}
