/**
 * SQL over dns_logs itself (the read-only side): the filter as WHERE conditions with bind parameters only, and a
 * statement timeout helper. Pure apart from the handles it is given.
 */
import type { ClientSet } from "@/k8s/client-set";
import type { Db } from "./db-types";
import type { Filter, SetFilter } from "./filters";

export class Params {
  values: unknown[] = [];
  add(v: unknown): string {
    this.values.push(v);
    return `$${this.values.length}`;
  }
}

function setCond(col: string, f: SetFilter<number> | SetFilter<string> | undefined, p: Params, type: string, nullable: boolean, out: string[], hide = false) {
  if (!f) return;
  const ph = p.add(f.values);
  // hidden from its index (`x + 0`, `x || ''`): a low-cardinality column's bitmap (NXDOMAIN: 3.7M of 27M rows) ANDed
  // with a few thousand rows found by time costs ~200 ms; the rows are filtered instead
  const c = hide ? (type === "text" ? `(${col} || '')` : `(${col} + 0)`) : col;
  if (!f.not) out.push(`${c} = ANY(${ph}::${type}[])`);
  else out.push(nullable ? `(${col} IS NULL OR ${c} <> ALL(${ph}::${type}[]))` : `${c} <> ALL(${ph}::${type}[])`);
}

/** Blocked answers (Blocked, UpstreamBlocked, UpstreamBlockedCached), hidden from response_type's index (see setCond). */
export const BLOCKED_SQL = "(response_type + 0) IN (4, 5, 6)";

export interface CondOptions {
  from?: Date;
  to?: Date;
  /** Exact client / name texts standing for the client / name filter (dictionary-resolved patterns, or a subset). */
  clients?: string[] | null;
  names?: string[] | null;
  /** Leave the client / name condition out (the caller adds its own). */
  noClient?: boolean;
  noName?: boolean;
  /** Hide client_ip / qname from their indexes (`x || ''`) so the planner walks time instead. */
  hideKeys?: boolean;
  /** Hide server, qtype, rcode, response type and protocol from their indexes: the rows are found by time, key or id. */
  hideEnums?: boolean;
}

/** WHERE conditions for the filter (without dlid bounds). Patterns become `= ANY(resolved)` when a list is given. */
export function conditions(f: Filter, p: Params, o: CondOptions = {}): string[] {
  const out: string[] = [];
  if (o.from) out.push(`timestamp >= ${p.add(o.from.toISOString())}::timestamptz`);
  if (o.to) out.push(`timestamp < ${p.add(o.to.toISOString())}::timestamptz`);
  setCond("server", f.server, p, "text", true, out, o.hideEnums);
  const client = o.hideKeys ? "(client_ip || '')" : "client_ip";
  const qname = o.hideKeys ? "(qname || '')" : "qname";
  if (f.clientSet && !o.noClient) {
    // who asked, at the row's time (the directory's windows); a key list given by the caller narrows it further
    const add = (v: unknown) => p.add(v);
    const cond = clientSetSql(f.clientSet, add, "client_ip", "timestamp");
    out.push(f.clientSet.not ? `NOT ${cond}` : cond);
    if (o.clients && !f.clientSet.not) out.push(`${client} = ANY(${p.add(o.clients)}::text[])`);
  }
  if (f.client && !o.noClient) {
    const c = f.client;
    const list = o.clients ?? (c.kind === "ip" ? [c.value] : c.kind === "list" ? (c.values ?? []) : null);
    if (list) out.push(c.not ? `${client} <> ALL(${p.add(list)}::text[])` : `${client} = ANY(${p.add(list)}::text[])`);
    else out.push(`${c.not ? "NOT " : ""}(client_ip::inet <<= ${p.add(c.value)}::inet)`);
  }
  if (f.qname && !o.noName) {
    const q = f.qname;
    const list = o.names ?? (q.kind === "exact" ? [q.value] : null);
    if (list) out.push(q.not ? `(qname IS NULL OR ${qname} <> ALL(${p.add(list)}::text[]))` : `${qname} = ANY(${p.add(list)}::text[])`);
    else out.push(q.not ? `(qname IS NULL OR qname NOT LIKE ${p.add(q.like)})` : `qname LIKE ${p.add(q.like)}`);
  }
  setCond("qtype", f.qtype, p, "int", true, out, o.hideEnums);
  setCond("rcode", f.rcode, p, "smallint", false, out, o.hideEnums);
  setCond("response_type", f.responseType, p, "smallint", false, out, o.hideEnums);
  setCond("protocol", f.protocol, p, "smallint", false, out, o.hideEnums);
  return out;
}

/**
 * A client-directory set as one positive SQL condition over an address column and a time column (dns_logs, or the
 * sample joined to querylog_clients): windows by address and time, network terms by `inet <<=`, minus the Kubernetes
 * intervals that name their address first. Bind parameters only.
 */
export function clientSetSql(s: ClientSet, add: (v: unknown) => string, col: string, ts: string): string {
  const parts: string[] = [];
  const windows = (ws: ClientSet["windows"]) => {
    const ips = [...new Set(ws.map((w) => w.ip))];
    return `(${col} = ANY(${add(ips)}::text[]) AND EXISTS (SELECT 1 FROM unnest(${add(ws.map((w) => w.ip))}::text[], ${add(ws.map((w) => w.from.toISOString()))}::timestamptz[], ${add(ws.map((w) => w.to.toISOString()))}::timestamptz[]) AS w(ip, a, b) WHERE w.ip = ${col} AND ${ts} >= w.a AND ${ts} < w.b))`;
  };
  if (s.windows.length) parts.push(windows(s.windows));
  const nets = s.nets.map((n) => `(${col}::inet <<= ANY(${add(n.cidrs)}::inet[])${n.notCidrs.length ? ` AND NOT ${col}::inet <<= ANY(${add(n.notCidrs)}::inet[])` : ""})`);
  if (nets.length) parts.push(`((${nets.join(" OR ")})${s.except.length ? ` AND NOT ${windows(s.except)}` : ""})`);
  return parts.length ? `(${parts.join(" OR ")})` : "false";
}

export const where = (conds: string[]) => (conds.length ? conds.join(" AND ") : "true");

/** A statement timeout error from PostgreSQL (SQLSTATE 57014, query_canceled). */
export function isTimeout(err: unknown): boolean {
  return (err as { code?: string } | null)?.code === "57014";
}

/** Run statements under a statement timeout: SET LOCAL inside a transaction on one connection of the pool. */
export function withTimeout<T>(db: Db, ms: number, fn: (db: Db) => Promise<T>): Promise<T> {
  return withSettings(db, { statement_timeout: String(Math.round(ms)) }, fn);
}

/** Planner and executor settings for some statements: SET LOCAL inside a transaction on one connection of the pool. */
export async function withSettings<T>(db: Db, settings: Partial<Record<"statement_timeout" | "enable_indexscan", string>>, fn: (db: Db) => Promise<T>): Promise<T> {
  const pool = db as Db & { connect?: () => Promise<Db & { release(): void }>; totalCount?: number };
  const c = typeof pool.connect === "function" && pool.totalCount !== undefined ? await pool.connect() : null;
  const h = c ?? db;
  try {
    await h.query("BEGIN");
    for (const [k, v] of Object.entries(settings)) if (v !== undefined && /^[a-z0-9]+$/.test(v)) await h.query(`SET LOCAL ${k} = ${v}`);
    const out = await fn(h);
    await h.query("COMMIT");
    return out;
  } catch (err) {
    await h.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    c?.release();
  }
}
