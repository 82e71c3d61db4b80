import "server-only";
import { closeLogsPool, logsPool } from "@/server/querylogs/db";
import type { Db } from "@/server/querylogs/db-types";
import { withTimeout } from "@/server/querylogs/raw";
import type { Live, QueryLogState } from "./estate";
import { live } from "./live";

/**
 * Cheap numbers from Technitium's query-log table (dns_logs) for the graph and the ndots explainer: the planner's
 * row estimate (no count(*) on a 90-day table), the newest timestamp (index_timestamp), and today's junk names.
 * Read through the query-log explorer's pool (server/querylogs/db.ts: read-only sessions), each call bounded by a
 * 5 s statement timeout.
 */
const TIMEOUT_MS = 5000;

function pool(): { query: <T = any>(text: string, values?: unknown[]) => Promise<{ rows: T[] }> } | null {
  const p = logsPool();
  if (!p) return null;
  return { query: (text, values) => withTimeout(p as Db, TIMEOUT_MS, (db) => db.query(text, values)) as never };
}

/** Close the query-log pool (tests, shutdown). */
export const closeQueryLogPool = closeLogsPool;

export async function queryLogState(now: Date = new Date()): Promise<Live<QueryLogState>> {
  const p = pool();
  if (!p) return { ok: false, error: "QUERYLOG_DATABASE_URL is not set" };
  return live(async () => {
    const est = await p.query<{ rows: string | null }>("select reltuples::bigint as rows from pg_class where relname = 'dns_logs' and relkind in ('r','p')");
    if (!est.rows.length) throw new Error("table dns_logs does not exist (is the Query Logs (PostgreSQL) app enabled?)");
    const newest = await p.query<{ newest: Date | null }>("select max(timestamp) as newest from dns_logs");
    let rows = Math.max(0, Number(est.rows[0].rows ?? 0));
    const n = newest.rows[0]?.newest ?? null;
    // reltuples is -1 before the first ANALYZE: say "some" rather than a wrong zero.
    if (rows === 0 && n) rows = Number((await p.query<{ c: string }>("select count(*) as c from (select 1 from dns_logs limit 100000) x")).rows[0].c);
    return { rows: Number(rows), newest: n?.toISOString(), lagSeconds: n ? Math.max(0, (now.getTime() - n.getTime()) / 1000) : undefined };
  }, "other");
}

export interface JunkEvidence {
  since: string;
  /** Names with 2+ labels before the internal zone: search-list expansions the CoreDNS template exists to stop. */
  multiLabelInternal: number;
  /** Cluster-domain names that reached Technitium (they should stop at CoreDNS). */
  clusterDomain: number;
  examples: string[];
}

/**
 * How long a count of today's junk is reused. It scans the day's rows of dns_logs (LIKE on qname: no index helps), 0.1–1 s
 * at this homelab's rate, and the Resolution paths page reads it on every load; a minute-old count says the same thing.
 * Past JUNK_FRESH_MS the kept count is still answered at once (up to JUNK_STALE_MS) while a new one is read behind it.
 */
const JUNK_FRESH_MS = 60_000;
const JUNK_STALE_MS = 10 * 60_000;
const junkKept = new Map<string, { at: number; value: Live<JunkEvidence> }>();
const junkReading = new Map<string, Promise<Live<JunkEvidence>>>();

/** Today's (UTC) junk queries that reached Technitium (kept a minute; see JUNK_FRESH_MS). */
export async function junkEvidence(zone: string, clusterDomain: string, now: Date = new Date()): Promise<Live<JunkEvidence>> {
  const key = `${zone}\n${clusterDomain}\n${now.toISOString().slice(0, 10)}`;
  const kept = junkKept.get(key);
  const age = kept ? now.getTime() - kept.at : Infinity;
  if (kept && age < JUNK_FRESH_MS) return kept.value;
  let reading = junkReading.get(key);
  if (!reading) {
    const started = now.getTime();
    reading = readJunkEvidence(zone, clusterDomain, now).then((value) => {
      if (value.ok) {
        if (junkKept.size > 8) junkKept.clear();
        junkKept.set(key, { at: started, value });
      }
      return value;
    });
    junkReading.set(key, reading);
    void reading.finally(() => junkReading.delete(key));
  }
  return kept && kept.value.ok && age < JUNK_STALE_MS ? kept.value : reading;
}

async function readJunkEvidence(zone: string, clusterDomain: string, now: Date): Promise<Live<JunkEvidence>> {
  const p = pool();
  if (!p) return { ok: false, error: "QUERYLOG_DATABASE_URL is not set" };
  const since = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const like = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);
  return live(async () => {
    const r = await p.query<{ multi: string; cluster: string }>(
      `select count(*) filter (where qname like $2) as multi, count(*) filter (where qname like $3 or qname like $4) as cluster
         from dns_logs where timestamp >= $1`,
      [since, `%.%.${like(zone)}`, `%.${like(clusterDomain)}`, `%.${like(clusterDomain)}.%`],
    );
    const ex = await p.query<{ qname: string }>(`select distinct qname from dns_logs where timestamp >= $1 and qname like $2 limit 5`, [since, `%.%.${like(zone)}`]);
    return { since: since.toISOString(), multiLabelInternal: Number(r.rows[0].multi), clusterDomain: Number(r.rows[0].cluster), examples: ex.rows.map((x) => x.qname) };
  }, "other");
}

export interface LanEvidence {
  since: string;
  /** dns_logs `server` (the instance's dnsServerDomain) → the answers it gave to clients in the network. */
  servers: { server: string; answers: { answer: string; rcode: number; count: number; last: string }[] }[];
}

const QTYPE_NUMBERS: Record<string, number> = { A: 1, CNAME: 5, MX: 15, TXT: 16, AAAA: 28 };

/**
 * What Technitium really answered clients in `network` (e.g. 192.168.1.0/24) for a name recently, per instance,
 * from the query log (index_query on qname, qtype). Read only; bounded by the pool's statement timeout.
 */
export async function lanAnswerEvidence(name: string, type: string, network: string, hours = 24, now: Date = new Date()): Promise<Live<LanEvidence>> {
  const p = pool();
  if (!p) return { ok: false, error: "QUERYLOG_DATABASE_URL is not set" };
  const since = new Date(now.getTime() - hours * 3600_000);
  return live(async () => {
    const r = await p.query<{ server: string | null; answer: string | null; rcode: number; n: string; last: Date }>(
      `select server, answer, rcode, count(*) as n, max(timestamp) as last
         from dns_logs
        where qname = $1 and qtype = $2 and timestamp >= $3 and client_ip::inet <<= $4::inet
        group by server, answer, rcode order by server, n desc limit 60`,
      [name.toLowerCase().replace(/\.$/, ""), QTYPE_NUMBERS[type] ?? 1, since, network],
    );
    const by = new Map<string, LanEvidence["servers"][number]>();
    for (const row of r.rows) {
      const key = row.server ?? "";
      if (!by.has(key)) by.set(key, { server: key, answers: [] });
      by.get(key)!.answers.push({ answer: row.answer ?? "", rcode: row.rcode, count: Number(row.n), last: row.last.toISOString() });
    }
    return { since: since.toISOString(), servers: [...by.values()] };
  }, "other");
}
