import "server-only";
import { asAddressList } from "@/k8s/client-set";
import { clientSetFor, nameClientsOver, nameRows, type RowClient } from "@/server/clients/directory";
import { describeDbError } from "@/server/db/client";
import { env } from "@/server/env";
import { AppError, badRequest } from "@/server/errors";
import { verb } from "@/server/verb";
import { logsPool, mapDbError, NOT_CONFIGURED, stores } from "./db";
import type { Filter } from "./filters";
import { exportSchema, listSchema, statsSchema } from "./schemas";
import { filterToParams } from "./filters";
import { countRows, decodeRow, pageSql, queryNewer, queryPage, resolve, type LogRow } from "./query";
import { readState, settled, UNSETTLED_NOTE } from "./rollup";
import { queryStats, type Bucket, type StatsPart } from "./stats";
import type { TopWhich } from "./top";
import { invalidateSigs, loadSigs } from "./sigs";
import { type KindsOf, readCauseCounts } from "./rollup-causes";

/**
 * The API's and the page's verbs over the pure query code (viewer): pools from env, errors mapped to messages that
 * say what to do. Inputs are bounded by ./schemas.ts (strict dates, 32-bit ids, ranges clipped to the retention).
 */
export const listQueryLogs = verb({ name: "querylogs.list", role: "viewer", input: listSchema }, (_ctx, input) => listLogs(input));
export const queryLogStats = verb({ name: "querylogs.stats", role: "viewer", input: statsSchema }, (_ctx, input) => logStats(input));
/** Failed answers by cause over the range (and instance filter), exact, from the cause rollups (rollup-causes.ts). */
export const queryLogCauses = verb({ name: "querylogs.cause-counts", role: "viewer", input: statsSchema }, (_ctx, input) => logCauses(input.filter));
export const queryLogStatus = verb({ name: "querylogs.status", role: "viewer" }, () => logStatus());
/** Every matching row as CSV/NDJSON — a bulk read, so audited like a change (intent before the first byte). */
export const exportQueryLogs = verb({ name: "querylogs.export", role: "viewer", input: exportSchema, audit: true }, (_ctx, input, t) => {
  t.target(`dns_logs ${new URLSearchParams(filterToParams(input.filter)).toString()}`.slice(0, 500));
  return exportLogs(input);
});

/**
 * A rollup tick that commits between reading the signature dictionary and reading the rollup rows brings ids the
 * dictionary does not hold yet: read again once with a fresh dictionary (found on PGlite under rapid filter changes).
 */
async function withFreshSigs<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof Error && err.message.startsWith("unknown signature"))) throw err;
    invalidateSigs();
    return fn();
  }
}

/**
 * `clientKind` / `clientName` resolved through the client directory (dnsdeck's database) into the windows the query
 * code applies: a plain address list when time does not matter in the range (the rollups answer it exactly), else the
 * windowed set. Anything else passes through unchanged.
 */
export async function withClientDirectory(filter: Filter): Promise<Filter> {
  if (!filter.who) return filter;
  let set: Awaited<ReturnType<typeof clientSetFor>>;
  try {
    set = await clientSetFor({ kinds: filter.who.kinds, kindsNot: filter.who.kindsNot, name: filter.who.name }, filter.from, filter.to);
  } catch (err) {
    throw new AppError("unavailable", `The client directory (dnsdeck's own database) cannot be read, so a filter by client kind or name cannot be applied: ${describeDbError(err)}. Filter by address (client=) meanwhile.`);
  }
  if (typeof set === "string") throw badRequest(`clientKind/clientName ${set}`);
  const list = asAddressList(set, filter);
  return list ? { ...filter, client: { kind: "list", value: set.label, values: list, not: set.not } } : { ...filter, clientSet: set };
}

/** Rows with the client each address was at the row's time (one directory lookup per page). */
const named = (rows: LogRow[]) => nameRows(rows, (r) => ({ ip: r.clientIp, at: new Date(r.timestamp) }));

/** The page after a page, read with it (`ahead=1`): its rows and its own cursor; null when the first page is the last. */
export type AheadPage = { rows: LogRow[]; nextCursor: string | null } | null;

export async function listLogs(input: { filter: Filter; cursor: number | null; after: number | null; limit: number; count: "none" | "fast" | "exact"; ahead?: boolean }) {
  const filter = await withClientDirectory(input.filter);
  try {
    return await withFreshSigs(async () => {
      const s = stores();
      if (input.after !== null) {
        const rows = await queryNewer(s, filter, input.after, input.limit);
        return { rows: await named(rows.reverse()), nextCursor: null, newest: rows[0]?.id ?? String(input.after) };
      }
      // rows alone come from dns_logs under one watermark; a count also reads the rollups, so it is read settled
      const read = async () => {
        const r = await resolve(s, filter);
        return Promise.all([
          // with `ahead`, two pages' rows in one keyset read, split below (the same rows two reads in a row would give)
          queryPage(s, filter, { cursor: input.cursor, limit: input.ahead ? 2 * input.limit : input.limit }, r),
          input.count === "none" ? null : countRows(s, filter, { exact: input.count === "exact", timeoutMs: 15_000 }, r),
        ]);
      };
      const { value: [page, count], settled: ok } = input.count === "none" ? { value: await read(), settled: true } : await settled(s, read);
      const rows = await named(page.rows);
      const n = input.limit;
      // read as two pages: the first page's cursor is its last row's only when more rows follow (known here)
      const split = input.ahead ? { rows: rows.slice(0, n), nextCursor: rows.length > n ? rows[n - 1].id : null, ahead: (rows.length > n ? { rows: rows.slice(n), nextCursor: page.nextCursor } : null) as AheadPage } : { rows };
      return { ...page, ...split, count: count?.kind === "rollup" && !ok ? { ...count, kind: "estimate" as const, note: UNSETTLED_NOTE } : count };
    });
  } catch (err) {
    throw mapDbError(err);
  }
}

export async function logStats(input: { filter: Filter; bucket?: Bucket; parts?: StatsPart[]; lists?: TopWhich[] }) {
  const filter = await withClientDirectory(input.filter);
  try {
    const s = stores();
    const { value: stats, settled: ok } = await settled(s, () => withFreshSigs(() => queryStats(s, filter, { bucket: input.bucket, parts: input.parts, lists: input.lists })));
    if (!ok) stats.notes.push(UNSETTLED_NOTE);
    // top clients named by what each address was at the range's end (or now, when the range ends later)
    const at = new Date(Math.min(filter.to.getTime(), Date.now()) - 1);
    const clients = await nameRows(stats.top.clients, (e) => ({ ip: e.key, at }));
    return { ...stats, top: { ...stats.top, clients, clientsNamedAt: at.toISOString() } };
  } catch (err) {
    throw mapDbError(err);
  }
}

/** The client directory's kind of each (address, time): what the cause rollup records for who asked. */
export const directoryKinds: KindsOf = async (items, from, to) => (await nameClientsOver(items, from, to)).map((c) => c.kind);

export async function logCauses(filter: Filter) {
  const other = (["client", "who", "qname", "qtype", "rcode", "responseType", "protocol"] as const).filter((k) => filter[k] !== undefined);
  if (other.length) throw badRequest(`causes narrow by time range and instance (server=) only; remove ${other.join(", ")}`);
  try {
    const s = stores();
    const dict = await loadSigs(s.deck);
    let serverNames: string[] | null = null;
    if (filter.server) {
      const all = [...dict.servers.values()];
      serverNames = filter.server.not ? all.filter((n) => !filter.server!.values.includes(n)) : filter.server.values;
    }
    const serverIds = serverNames ? serverNames.map((n) => dict.serverIds.get(n)).filter((x): x is number => x !== undefined) : null;
    const { value: counts, settled: ok } = await settled(s, () => readCauseCounts(s, { from: filter.from, to: filter.to, serverIds, serverNames, kindsOf: directoryKinds }));
    // unsettled only while a catch-up steps day after day: the page says the rollup is catching up
    return { from: filter.from, to: filter.to, ...counts, behind: counts.behind || !ok };
  } catch (err) {
    throw mapDbError(err);
  }
}

export async function logStatus() {
  const url = env().QUERYLOG_DATABASE_URL;
  if (!url) return { configured: false, reachable: false, message: NOT_CONFIGURED };
  const s = stores();
  try {
    const [newest, state, servers] = await Promise.all([
      s.logs.query(`SELECT dlid, timestamp FROM dns_logs ORDER BY dlid DESC LIMIT 1`),
      readState(s.deck).catch(() => ({ watermark: 0, rowsRolled: 0, updatedAt: null, lastError: "dnsdeck's database is unreachable" })),
      s.deck.query(`SELECT name AS server FROM querylog_servers WHERE id IN (SELECT DISTINCT server_id FROM querylog_hour_span WHERE hour > now() - interval '90 days') ORDER BY 1`).catch(() => ({ rows: [] })),
    ]);
    const n = newest.rows[0];
    return {
      configured: true,
      reachable: true,
      newestId: n ? String(n.dlid) : null,
      newestAt: n ? new Date(n.timestamp).toISOString() : null,
      watermark: String(state.watermark),
      rollupBehind: n ? Math.max(0, Number(n.dlid) - state.watermark) : 0,
      rollupUpdatedAt: state.updatedAt ? new Date(state.updatedAt).toISOString() : null,
      rollupError: state.lastError,
      servers: servers.rows.map((r: { server: string }) => r.server),
    };
  } catch (err) {
    const e = mapDbError(err);
    return { configured: true, reachable: false, message: e instanceof Error ? e.message : String(e) };
  }
}

const CSV_COLUMNS: (keyof LogRow)[] = ["id", "timestamp", "server", "clientIp", "protocol", "responseType", "rtt", "rcode", "qname", "qtype", "qclass", "answer"];
/** The client each row's address was at its time, after the row's own columns. */
const CSV_CLIENT_COLUMNS = ["clientKind", "clientName", "clientPath"] as const;
const clientCells = (c: RowClient | null) => [c?.kind ?? "", c?.name ?? c?.network ?? "", c?.path ?? ""];

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return "";
  const s = String(v);
  // Quote when needed; neutralise spreadsheet formulas (a qname or answer cannot start with these legitimately).
  const safe = /^[=+\-@\t\r]/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) || safe !== s ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** Stream every matching row (newest first, keyset chunks of 5,000) as CSV or NDJSON. Audited as a bulk read. */
export async function exportLogs(input: { filter: Filter; format: "csv" | "ndjson" }): Promise<Response> {
  let s: ReturnType<typeof stores>;
  let r: Awaited<ReturnType<typeof resolve>>;
  const filter = await withClientDirectory(input.filter);
  try {
    s = stores();
    r = await resolve(s, filter);
  } catch (err) {
    throw mapDbError(err);
  }
  const enc = new TextEncoder();
  let cursor: number | null = null;
  let headerSent = false;
  const stream = new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        if (!headerSent && input.format === "csv") {
          controller.enqueue(enc.encode([...CSV_COLUMNS, ...CSV_CLIENT_COLUMNS].join(",") + "\r\n"));
        }
        headerSent = true;
        const { sql, values } = pageSql(r, cursor, 5000);
        const { rows } = await s.logs.query(sql, values);
        if (!rows.length) return controller.close();
        const out = await named(rows.map(decodeRow));
        const text =
          input.format === "csv"
            ? out.map((row) => [...CSV_COLUMNS.map((c) => row[c]), ...clientCells(row.client)].map(csvCell).join(",")).join("\r\n") + "\r\n"
            : out.map((row) => JSON.stringify(row)).join("\n") + "\n";
        controller.enqueue(enc.encode(text));
        cursor = Number(out[out.length - 1].id);
        if (rows.length < 5000) controller.close();
      } catch (err) {
        controller.error(err);
      }
    },
  });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-").slice(0, 19);
  return new Response(stream, {
    headers: {
      "content-type": input.format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
      "content-disposition": `attachment; filename="dnsdeck-query-logs-${stamp}.${input.format === "csv" ? "csv" : "ndjson"}"`,
      "cache-control": "no-store",
      ...(r.clipped ? { "x-dnsdeck-clipped": "range clipped to the oldest kept row" } : {}),
    },
  });
}

export { logsPool };
