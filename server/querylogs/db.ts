import "server-only";
import pg from "pg";
import { env } from "@/server/env";
import { AppError } from "@/server/errors";
import { type Db, type Stores, surviveConnectionErrors } from "./db-types";

/**
 * The one door to Technitium's query-log database (QUERYLOG_DATABASE_URL): one pool, opened read-only
 * (default_transaction_read_only) with a statement timeout, so nothing in dnsdeck can alter dns_logs or its indexes
 * (the architecture page's numbers read through it too). dnsdeck's own database gets a small pool for the rollup SQL
 * (bulk upserts that Prisma would do row by row). Both sessions run in UTC without JIT (short queries; JIT
 * compilation costs more than it saves).
 */
const g = globalThis as unknown as { __dnsdeckQlLogs?: pg.Pool; __dnsdeckQlDeck?: pg.Pool; __dnsdeckQlDeckDb?: Db & { connect(): Promise<Db & { release(): void }> } };
const SESSION = "-c jit=off -c timezone=UTC";

export function logsPool(): pg.Pool | null {
  const url = env().QUERYLOG_DATABASE_URL;
  if (!url) return null;
  if (!g.__dnsdeckQlLogs) {
    g.__dnsdeckQlLogs = new pg.Pool({
      connectionString: url,
      max: 6,
      // also the longest wait for a free connection of the pool: a burst of filter changes queues here, and a queued
      // request is not an unreachable database (an unreachable one fails at once: ECONNREFUSED)
      connectionTimeoutMillis: 10_000,
      idleTimeoutMillis: 30_000,
      options: `-c default_transaction_read_only=on -c statement_timeout=30000 ${SESSION}`,
      application_name: "dnsdeck-querylogs",
    });
    surviveConnectionErrors(g.__dnsdeckQlLogs); // a restarted database must not end the process
  }
  return g.__dnsdeckQlLogs;
}

/** Close the query-log pool (tests, shutdown); the next logsPool() opens a new one. */
export async function closeLogsPool(): Promise<void> {
  const p = g.__dnsdeckQlLogs;
  g.__dnsdeckQlLogs = undefined;
  await p?.end();
}

export function deckPool(): pg.Pool {
  if (!g.__dnsdeckQlDeck) {
    g.__dnsdeckQlDeck = new pg.Pool({ connectionString: env().DATABASE_URL, max: 4, connectionTimeoutMillis: 10_000, idleTimeoutMillis: 30_000, application_name: "dnsdeck-querylogs", options: SESSION });
    surviveConnectionErrors(g.__dnsdeckQlDeck);
  }
  return g.__dnsdeckQlDeck;
}

export const NOT_CONFIGURED = "Query logs are not configured: set QUERYLOG_DATABASE_URL to Technitium's query-log database (the Query Logs (PostgreSQL) app's database). The rest of dnsdeck works without it.";

/** Stores for a request, or a 503 that says what to do. */
export function stores(): Stores & { deckConnect: () => Promise<Db & { release(): void }> } {
  const logs = logsPool();
  if (!logs) throw new AppError("unavailable", NOT_CONFIGURED);
  const pool = deckPool();
  // Tag errors from dnsdeck's own database so messages name the right one. One handle per process (caches key on it).
  const tag = (err: unknown) => {
    if (err && typeof err === "object") (err as { dnsdeckDb?: string }).dnsdeckDb = "deck";
    throw err;
  };
  g.__dnsdeckQlDeckDb ??= { query: (text, values) => pool.query(text, values as unknown[]).catch(tag), connect: () => pool.connect().catch(tag) };
  const deck = g.__dnsdeckQlDeckDb;
  return { logs, deck, deckConnect: () => deck.connect() };
}

/** Turn driver errors into messages a user can act on. */
export function mapDbError(err: unknown): unknown {
  if (err instanceof AppError) return err;
  const e = err as { message?: string; code?: string };
  const msg = e?.message ?? String(err);
  // 57014 query_canceled: a statement timeout (ours, or the server's)
  if (e?.code === "57014") return new AppError("timeout", "The query took too long; narrow the time range or add a filter.");
  if ((e as { dnsdeckDb?: string })?.dnsdeckDb === "deck" && /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|timeout exceeded|Connection terminated|connect/i.test(msg))
    return new AppError("unavailable", "dnsdeck's own database is unreachable, so the query-log rollups and dictionaries cannot be read; check DATABASE_URL. Technitium is not affected.");
  if (/ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|timeout exceeded when trying to connect|Connection terminated|connect/i.test(msg) || e?.code === "57P03" || e?.code === "3D000" || e?.code === "28P01")
    return new AppError("unavailable", `Technitium's query-log database is unreachable (${msg.slice(0, 120)}). Check QUERYLOG_DATABASE_URL and that PostgreSQL is up; the rest of dnsdeck keeps working.`);
  if (e?.code === "42P01")
    return new AppError("unavailable", "The query-log database has no dns_logs table yet: enable logging in Technitium's Query Logs (PostgreSQL) app.");
  return err;
}
