/**
 * Why queries fail, rolled up (issue 12): every failed answer (NXDOMAIN, SERVFAIL, blocked) is classified by cause
 * (k8s/causes.ts) as the rollup reads its window — from the names pass's second grouping set, so no extra scan — and
 * counted per day, instance and cause (hours as columns) and per client address. The causes page over 90 days then
 * reads a few thousand rows instead of classifying millions.
 *
 * Versioned: `querylog_cause_days` says which rules built each day and how many rolled rows they cover. A day built by
 * older rules, or rolled up before causes existed (its rows differ from `querylog_days.rows`), is back-filled from
 * dns_logs, newest day first, a day per transaction under the rollup lock (so no step adds to it meanwhile), while the
 * worker has time left after catching up. Days whose oldest rows Technitium's retention has already deleted are left
 * as they are (and counted as `staleDays` by the reader) rather than rebuilt from a part.
 *
 * Pure apart from the handles it is given.
 */
import { CAUSES, classify } from "@/k8s/causes";
import type { Db } from "./db-types";
import { ROLLUP_LOCK, STATE_ID } from "./db-types";
import { CLIENTS, type KeyCache, keyIds } from "./dictionary";
import { codeSql, decodeDims, FAILED_SQL, type FailedCols, failedCols, run } from "./rollup-read";
import { loadSigs } from "./sigs";
import { upsertAdd } from "./upsert";

/** Bump when k8s/causes.ts classifies differently: every day is then back-filled with the new rules. */
export const CAUSE_VERSION = 1;

const HOUR = 3_600_000;
const DAY = 86_400_000;
const HCOLS = Array.from({ length: 24 }, (_, i) => `h${String(i).padStart(2, "0")}`);
const dayText = (dn: number) => new Date(dn * DAY).toISOString().slice(0, 10);

const memo = new Map<string, number>();
/** The cause's position in CAUSES for a failed answer (-1: not a failure). Memoised: a day repeats its names. */
export function causeIndex(name: string, rcode: number, rt: number, qtype: number): number {
  const key = `${rt}|${rcode}|${qtype === 12 ? 12 : 0}|${name}`;
  let c = memo.get(key);
  if (c === undefined) {
    const r = classify({ name, rcode, responseType: rt, qtype });
    c = r ? CAUSES.indexOf(r.cause) : -1;
    if (memo.size >= 200_000) memo.clear();
    memo.set(key, c);
  }
  return c;
}

interface Acc {
  dn: number;
  server: number;
  cause: number;
  client: number;
  n: number;
  h: number[];
}

export interface CauseAgg {
  day: Map<number, Acc>;
  client: Map<string, Acc>;
}

/** Failed groups → per (day, instance, cause) and per (day, client, instance, cause), with hours. */
export function aggregateCauses(f: FailedCols, serverIdOf: (srv: number) => number | undefined, clientIdOf: (ip: string) => number | undefined): CauseAgg {
  const day = new Map<number, Acc>();
  const client = new Map<string, Acc>();
  for (let i = 0; i < f.n.length; i++) {
    const d = decodeDims(f.code[i]);
    const cause = causeIndex(f.name[i], d.rcode, d.rt, d.qtype);
    const server = serverIdOf(d.srv);
    const cid = clientIdOf(f.client[i]);
    if (cause < 0 || server === undefined || cid === undefined) continue;
    const dn = Math.floor(f.hn[i] / 24);
    const h = f.hn[i] - dn * 24;
    const dk = (dn * 4096 + server) * 16 + cause;
    const a = day.get(dk) ?? day.set(dk, { dn, server, cause, client: 0, n: 0, h: new Array(24).fill(0) }).get(dk)!;
    a.n += f.n[i];
    a.h[h] += f.n[i];
    const ck = `${dn}|${cid}|${server}|${cause}`;
    const b = client.get(ck) ?? client.set(ck, { dn, server, cause, client: cid, n: 0, h: new Array(24).fill(0) }).get(ck)!;
    b.n += f.n[i];
    b.h[h] += f.n[i];
  }
  return { day, client };
}

const ints = HCOLS.map((c) => [c, "int"] as [string, string]);

/** Add a step's (or a back-fill's) counts; the ledger gets the step's rolled rows per day and the oldest version. */
export async function writeCauses(db: Db, agg: CauseAgg, rowsPerDay: Map<number, number>): Promise<void> {
  await upsertAdd(db, "querylog_cause_day", [["day", "date"], ["server_id", "smallint"], ["cause", "smallint"]], [["n", "bigint"], ...ints], [...agg.day.values()].map((a) => [dayText(a.dn), a.server, a.cause, a.n, ...a.h]));
  await upsertAdd(
    db,
    "querylog_cause_client",
    [["day", "date"], ["client_id", "int"], ["server_id", "smallint"], ["cause", "smallint"]],
    [["n", "int"], ...ints],
    [...agg.client.values()].map((a) => [dayText(a.dn), a.client, a.server, a.cause, a.n, ...a.h]),
  );
  const days = [...rowsPerDay.keys()];
  if (days.length)
    await db.query(
      `INSERT INTO querylog_cause_days AS t (day, version, rows) SELECT d, $3, n FROM unnest($1::date[], $2::bigint[]) AS u(d, n)
       ON CONFLICT (day) DO UPDATE SET version = least(t.version, EXCLUDED.version), rows = t.rows + EXCLUDED.rows`,
      [days.map(dayText), days.map((d) => rowsPerDay.get(d)), CAUSE_VERSION],
    );
}

export interface BackfillStores {
  logs: Db;
  deck: Db;
  deckConnect: () => Promise<Db & { release(): void }>;
  stateId?: string;
}

/** Days whose cause rows are not what the current rules over every rolled row would give (newest first). */
export async function daysToBackfill(deck: Db, firstWholeDay: string): Promise<{ day: string; rows: number }[]> {
  const { rows } = await deck.query(
    `SELECT qd.day::text AS day, qd.rows FROM querylog_days qd LEFT JOIN querylog_cause_days cd ON cd.day = qd.day
      WHERE (cd.day IS NULL OR cd.version <> $1 OR cd.rows <> qd.rows) AND qd.day >= $2::date ORDER BY qd.day DESC`,
    [CAUSE_VERSION, firstWholeDay],
  );
  return rows.map((r) => ({ day: r.day, rows: Number(r.rows) }));
}

/**
 * Rebuild the cause rows of days that need it, newest first, one transaction per day under the rollup lock, until
 * `budgetMs` is spent. Returns the days rebuilt.
 */
export async function backfillCauses(stores: BackfillStores, cache: KeyCache | undefined, opts: { budgetMs?: number } = {}): Promise<string[]> {
  const started = Date.now();
  const oldest = await stores.logs.query(`SELECT min(timestamp) AS t FROM dns_logs`);
  if (!oldest.rows[0]?.t) return [];
  // the first day all of whose rows are still in dns_logs (retention deletes from the old end)
  const o = new Date(oldest.rows[0].t);
  const firstWhole = o.getTime() % DAY === 0 ? o : new Date(Math.floor(o.getTime() / DAY) * DAY + DAY);
  const done: string[] = [];
  while (Date.now() - started < (opts.budgetMs ?? 2_000)) {
    const c = await stores.deckConnect();
    try {
      await c.query("BEGIN");
      await c.query(`SELECT pg_advisory_xact_lock($1)`, [ROLLUP_LOCK]);
      const [next] = await daysToBackfill(c, firstWhole.toISOString().slice(0, 10));
      if (!next) {
        await c.query("COMMIT");
        break;
      }
      const st = await c.query(`SELECT watermark FROM querylog_state WHERE id = $1`, [stores.stateId ?? STATE_ID]);
      const watermark = Number(st.rows[0]?.watermark ?? 0);
      const dict = await loadSigs(c);
      const servers = [...dict.servers.entries()].sort((a, b) => a[0] - b[0]).map(([, n]) => n);
      const start = new Date(`${next.day}T00:00:00Z`);
      // the day by its timestamp index; `dlid + 0` keeps the planner off the primary key (rows ≤ the watermark only)
      const rows = await run(
        stores.logs,
        `SELECT 0, 0, 0, 0, ${codeSql("$1")}, count(*)::int, qname, client_ip, floor(date_part('epoch', timestamp) / 3600)::int
           FROM dns_logs WHERE timestamp >= $2 AND timestamp < $3 AND dlid + 0 <= $4 AND qname IS NOT NULL AND ${FAILED_SQL}
          GROUP BY 5, 7, 8, 9`,
        [servers, start, new Date(start.getTime() + DAY), watermark],
      );
      const failed = failedCols(rows);
      const ids = await keyIds(c, CLIENTS, new Set(failed.client), cache);
      const agg = aggregateCauses(failed, (srv) => dict.serverIds.get(servers[srv - 1]), (ip) => ids.get(ip));
      await c.query(`DELETE FROM querylog_cause_day WHERE day = $1::date`, [next.day]);
      await c.query(`DELETE FROM querylog_cause_client WHERE day = $1::date`, [next.day]);
      await writeCauses(c, agg, new Map());
      await c.query(
        `INSERT INTO querylog_cause_days (day, version, rows) VALUES ($1::date, $2, $3) ON CONFLICT (day) DO UPDATE SET version = EXCLUDED.version, rows = EXCLUDED.rows`,
        [next.day, CAUSE_VERSION, next.rows],
      );
      await c.query("COMMIT");
      done.push(next.day);
    } catch (err) {
      await c.query("ROLLBACK").catch(() => {});
      throw err;
    } finally {
      c.release();
    }
  }
  return done;
}

export interface CauseCounts {
  /** Per cause (position in CAUSES): failed answers in the range. */
  total: number[];
  /** Per hour number (epoch hours) in the range: counts per cause. */
  hours: Map<number, number[]>;
  /** Per client address and UTC day: counts per cause (the day's part inside the range). */
  clients: { ip: string; dn: number; n: number[] }[];
  /** Days in the range whose cause rows older rules built (back-fill pending, or their raw rows already expired). */
  staleDays: number;
  /** The rollup is far behind: rows past its watermark are not counted (the page says so). */
  behind: boolean;
}

/** A tail past the watermark longer than this is not read raw (the rollup is catching up; the answer says so). */
export const TAIL_MAX = 500_000;

/**
 * Failed answers by cause in [from, to), exactly: whole hours up to the watermark from the cause rollups, the partial
 * hours at the edges and the rows past the watermark from dns_logs (few rows, by index). `serverIds`/`serverNames`:
 * the instance filter (null: all).
 */
export async function readCauseCounts(stores: { logs: Db; deck: Db; stateId?: string }, q: { from: Date; to: Date; serverIds: number[] | null; serverNames: string[] | null }): Promise<CauseCounts> {
  const K = CAUSES.length;
  const zero = () => new Array(K).fill(0) as number[];
  const total = zero();
  const hours = new Map<number, number[]>();
  const perClient = new Map<string, { ip: string; dn: number; n: number[] }>();
  const fromH = Math.ceil(q.from.getTime() / HOUR);
  const toH = Math.floor(q.to.getTime() / HOUR); // whole hours [fromH, toH)
  const add = (hn: number, cause: number, n: number) => {
    total[cause] += n;
    (hours.get(hn) ?? hours.set(hn, zero()).get(hn)!)[cause] += n;
  };
  const addClient = (ip: string, dn: number, cause: number, n: number) => {
    const k = `${ip}|${dn}`;
    (perClient.get(k) ?? perClient.set(k, { ip, dn, n: zero() }).get(k)!).n[cause] += n;
  };
  const [state, dict, newest] = await Promise.all([
    stores.deck.query(`SELECT watermark FROM querylog_state WHERE id = $1`, [stores.stateId ?? STATE_ID]),
    loadSigs(stores.deck),
    stores.logs.query(`SELECT max(dlid) AS m FROM dns_logs`),
  ]);
  const watermark = Number(state.rows[0]?.watermark ?? 0);
  const servers = [...dict.servers.entries()].sort((a, b) => a[0] - b[0]).map(([, n]) => n);
  const behind = Number(newest.rows[0]?.m ?? 0) - watermark > TAIL_MAX;
  const srvFilter = q.serverIds ? `AND server_id = ANY($3::smallint[])` : "";
  const args = (a: unknown[]) => (q.serverIds ? [...a, q.serverIds] : a);

  let staleDays = 0;
  if (toH > fromH) {
    const d0 = Math.floor(fromH / 24);
    const d1 = Math.floor((toH - 1) / 24);
    // hour columns inside the range as one sum per row (only the two edge days can be partial)
    const inRange = (alias: string) =>
      `CASE ${alias}.day WHEN $1::date THEN ${HCOLS.filter((_, h) => d0 * 24 + h >= fromH && d0 * 24 + h < toH).join(" + ") || "0"}
        ${d1 !== d0 ? `WHEN $2::date THEN ${HCOLS.filter((_, h) => d1 * 24 + h < toH).join(" + ") || "0"}` : ""} ELSE ${alias}.n END`;
    const [days, clients, ledger] = await Promise.all([
      stores.deck.query(`SELECT (day - DATE '1970-01-01') AS dn, cause, ${HCOLS.join(", ")} FROM querylog_cause_day WHERE day BETWEEN $1::date AND $2::date ${srvFilter}`, args([dayText(d0), dayText(d1)])),
      stores.deck.query(
        `SELECT k.ip, s.dn, s.cause, s.n FROM (
           SELECT client_id, (day - DATE '1970-01-01') AS dn, cause, sum(${inRange("c")})::bigint AS n FROM querylog_cause_client c
            WHERE day BETWEEN $1::date AND $2::date ${srvFilter} GROUP BY 1, 2, 3) s
         JOIN querylog_clients k ON k.id = s.client_id WHERE s.n > 0`,
        args([dayText(d0), dayText(d1)]),
      ),
      stores.deck.query(`SELECT count(*)::int AS n FROM querylog_cause_days WHERE day BETWEEN $1::date AND $2::date AND version <> $3`, [dayText(d0), dayText(d1), CAUSE_VERSION]),
    ]);
    for (const r of days.rows) {
      const dn = Number(r.dn);
      for (let h = 0; h < 24; h++) {
        const hn = dn * 24 + h;
        const v = r[HCOLS[h]];
        if (v && hn >= fromH && hn < toH) add(hn, r.cause, v);
      }
    }
    for (const r of clients.rows) addClient(r.ip, Number(r.dn), r.cause, Number(r.n));
    staleDays = Number(ledger.rows[0].n);
  }

  // raw: the partial hours at both edges (rows the rollups hold, i.e. ≤ the watermark), and rows past the watermark
  const rawSrv = q.serverNames ? `AND server = ANY($5::text[])` : "";
  const rawArgs = (a: unknown[]) => (q.serverNames ? [...a, q.serverNames] : a);
  const edges: [Date, Date][] = toH > fromH ? [[q.from, new Date(fromH * HOUR)], [new Date(toH * HOUR), q.to]] : [[q.from, q.to]];
  const select = `SELECT ${codeSql("$1")} AS code, count(*)::int AS n, qname, client_ip, floor(date_part('epoch', timestamp) / 3600)::int AS hn FROM dns_logs`;
  const reads = edges
    .filter(([a, b]) => b > a)
    .map(([a, b]) => stores.logs.query(`${select} WHERE timestamp >= $2 AND timestamp < $3 AND dlid + 0 <= $4 AND qname IS NOT NULL AND ${FAILED_SQL} ${rawSrv} GROUP BY 1, 3, 4, 5`, rawArgs([servers, a, b, watermark])));
  if (!behind)
    reads.push(stores.logs.query(`${select} WHERE dlid > $4 AND timestamp >= $2 AND timestamp < $3 AND qname IS NOT NULL AND ${FAILED_SQL} ${rawSrv} GROUP BY 1, 3, 4, 5`, rawArgs([servers, q.from, q.to, watermark])));
  const raws = await Promise.all(reads.map((p) => p.then((r) => r.rows.map((x) => [0, 0, 0, 0, x.code, x.n, x.qname, x.client_ip, x.hn]))));
  for (const rows of raws) {
    const f = failedCols(rows);
    for (let i = 0; i < f.n.length; i++) {
      const d = decodeDims(f.code[i]);
      const cause = causeIndex(f.name[i], d.rcode, d.rt, d.qtype);
      if (cause < 0) continue;
      add(f.hn[i], cause, f.n[i]);
      addClient(f.client[i], Math.floor(f.hn[i] / 24), cause, f.n[i]);
    }
  }
  return { total, hours, clients: [...perClient.values()], staleDays, behind };
}
