/**
 * Why queries fail, rolled up (issue 12): every failed answer (NXDOMAIN, SERVFAIL, blocked) is classified by cause
 * (k8s/causes.ts) as the rollup reads its window — from the names pass's second grouping set, so no extra scan — and
 * counted per day, instance, cause and kind of client (hours as columns). The kind is what the client directory says
 * the address was in that hour (`kindsOf`, given by the worker: one interval query per step, not per row). The causes
 * page over 90 days then reads a few thousand rows instead of classifying millions.
 *
 * Versioned: `querylog_cause_days` says which rules built each day and how many rolled rows they cover. A day built by
 * older rules, or rolled up before causes existed (its rows differ from `querylog_days.rows`), is back-filled from
 * dns_logs, newest day first, a day per transaction under the rollup lock (so no step adds to it meanwhile), while the
 * worker has time left after catching up. A day whose rows Technitium's retention has already begun to delete is left
 * as it is (and counted in `staleDays` by the reader) rather than rebuilt from a part.
 *
 * Pure apart from the handles it is given.
 */
import { CAUSES, classify } from "@/k8s/causes";
import { CLIENT_KINDS, type ClientKind } from "@/k8s/clients";
import type { Db } from "./db-types";
import { BUMP_EPOCH, STATE_ID, underRollupLock } from "./db-types";
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

/** Who asked, as the client directory knows it: the kind of each (address, time), many at once. */
export type KindsOf = (items: { ip: string; at: Date }[], from: Date, to: Date) => Promise<ClientKind[]>;

const UNKNOWN = CLIENT_KINDS.indexOf("unknown");

/** The kind (position in CLIENT_KINDS) of each failed group's client in its hour; unknown without a directory. */
export async function resolveKinds(f: FailedCols, kindsOf: KindsOf | undefined): Promise<Int8Array> {
  const out = new Int8Array(f.n.length).fill(UNKNOWN);
  if (!kindsOf || !f.n.length) return out;
  const pairs = new Map<string, number>();
  const items: { ip: string; at: Date }[] = [];
  let lo = Infinity;
  let hi = -Infinity;
  const slot = new Int32Array(f.n.length);
  for (let i = 0; i < f.n.length; i++) {
    const k = `${f.client[i]}|${f.hn[i]}`;
    let j = pairs.get(k);
    if (j === undefined) {
      pairs.set(k, (j = items.length));
      items.push({ ip: f.client[i], at: new Date(f.hn[i] * HOUR + HOUR / 2) });
      lo = Math.min(lo, f.hn[i]);
      hi = Math.max(hi, f.hn[i]);
    }
    slot[i] = j;
  }
  const kinds = await kindsOf(items, new Date(lo * HOUR), new Date((hi + 1) * HOUR));
  for (let i = 0; i < f.n.length; i++) {
    const k = CLIENT_KINDS.indexOf(kinds[slot[i]] ?? "unknown");
    out[i] = k < 0 ? UNKNOWN : k;
  }
  return out;
}

interface Acc {
  dn: number;
  server: number;
  cause: number;
  kind: number;
  n: number;
  h: number[];
}

/** Failed groups (with their clients' kinds) → per (day, instance, cause, kind), with hours. */
export function aggregateCauses(f: FailedCols, kinds: Int8Array | undefined, serverIdOf: (srv: number) => number | undefined): Map<number, Acc> {
  const day = new Map<number, Acc>();
  for (let i = 0; i < f.n.length; i++) {
    const d = decodeDims(f.code[i]);
    const cause = causeIndex(f.name[i], d.rcode, d.rt, d.qtype);
    const server = serverIdOf(d.srv);
    if (cause < 0 || server === undefined) continue;
    const kind = kinds ? kinds[i] : UNKNOWN;
    const dn = Math.floor(f.hn[i] / 24);
    const key = ((dn * 4096 + server) * 16 + cause) * 16 + kind;
    const a = day.get(key) ?? day.set(key, { dn, server, cause, kind, n: 0, h: new Array(24).fill(0) }).get(key)!;
    a.n += f.n[i];
    a.h[f.hn[i] - dn * 24] += f.n[i];
  }
  return day;
}

const ints = HCOLS.map((c) => [c, "int"] as [string, string]);

/** Add a step's (or a back-fill's) counts; the ledger gets the step's rolled rows per day and the oldest version. */
export async function writeCauses(db: Db, agg: Map<number, Acc>, rowsPerDay: Map<number, number>): Promise<void> {
  await upsertAdd(
    db,
    "querylog_cause_day",
    [["day", "date"], ["server_id", "smallint"], ["cause", "smallint"], ["kind", "smallint"]],
    [["n", "bigint"], ...ints],
    [...agg.values()].map((a) => [dayText(a.dn), a.server, a.cause, a.kind, a.n, ...a.h]),
  );
  const days = [...rowsPerDay.keys()];
  if (days.length)
    await db.query(
      `INSERT INTO querylog_cause_days AS t (day, version, rows) SELECT d, $3, n FROM unnest($1::date[], $2::bigint[]) AS u(d, n)
       ON CONFLICT (day) DO UPDATE SET version = least(t.version, EXCLUDED.version), rows = t.rows + EXCLUDED.rows`,
      [days.map(dayText), days.map((d) => rowsPerDay.get(d)), CAUSE_VERSION],
    );
}

/**
 * Failed answers of dns_logs grouped per dims, name, client and hour, as the rollup's names pass groups them: `where`
 * over $2…, the instance list is $1. One shape for the back-fill (a whole day) and the reader (edge hours, the tail).
 */
async function readFailed(logs: Db, servers: string[], where: string, values: unknown[]): Promise<FailedCols> {
  const rows = await run(
    logs,
    `SELECT 0, 0, 0, 0, ${codeSql("$1")}, count(*)::int, qname, client_ip, floor(date_part('epoch', timestamp) / 3600)::int
       FROM dns_logs WHERE ${where} AND qname IS NOT NULL AND ${FAILED_SQL} GROUP BY 5, 7, 8, 9`,
    [servers, ...values],
  );
  return failedCols(rows);
}

export interface BackfillStores {
  logs: Db;
  deck: Db;
  deckConnect: () => Promise<Db & { release(): void }>;
  stateId?: string;
  kindsOf?: KindsOf;
}

/** Days whose cause rows are not what the current rules over every rolled row would give (newest first). */
export async function daysToBackfill(deck: Db): Promise<{ day: string; rows: number }[]> {
  const { rows } = await deck.query(
    `SELECT qd.day::text AS day, qd.rows FROM querylog_days qd LEFT JOIN querylog_cause_days cd ON cd.day = qd.day
      WHERE cd.day IS NULL OR cd.version <> $1 OR cd.rows <> qd.rows ORDER BY qd.day DESC`,
    [CAUSE_VERSION],
  );
  return rows.map((r) => ({ day: r.day, rows: Number(r.rows) }));
}

/** Days found incomplete in dns_logs (retention deleted some of their rows), with the rolled rows they had then. */
const incomplete = new Map<string, number>();

/**
 * Rebuild the cause rows of days that need it, newest first, one transaction per day under the rollup lock, until
 * `budgetMs` is spent. A day is rebuilt only when dns_logs still holds every row the rollups counted for it; once
 * one is not (retention deletes from the old end), older days are not either, and the back-fill stops there.
 * Returns the days rebuilt.
 */
export async function backfillCauses(stores: BackfillStores, opts: { budgetMs?: number } = {}): Promise<string[]> {
  const started = Date.now();
  const done: string[] = [];
  // the usual answer (nothing to do) without taking the rollup lock every tick
  const pending = await daysToBackfill(stores.deck);
  if (!pending.length || incomplete.get(pending[0].day) === pending[0].rows) return done;
  while (Date.now() - started < (opts.budgetMs ?? 2_000)) {
    const rebuilt = await underRollupLock(stores.deckConnect, async (c) => {
      const next = (await daysToBackfill(c)).find((d) => !done.includes(d.day));
      if (!next || incomplete.get(next.day) === next.rows) return null;
      const st = await c.query(`SELECT watermark FROM querylog_state WHERE id = $1`, [stores.stateId ?? STATE_ID]);
      const watermark = Number(st.rows[0]?.watermark ?? 0);
      const dict = await loadSigs(c);
      const servers = [...dict.servers.entries()].sort((a, b) => a[0] - b[0]).map(([, n]) => n);
      const start = new Date(`${next.day}T00:00:00Z`);
      const span = [start, new Date(start.getTime() + DAY), watermark];
      // the day by its timestamp index; `dlid + 0` keeps the planner off the primary key (rows ≤ the watermark only)
      const [count, failed] = await Promise.all([
        stores.logs.query(`SELECT count(*)::bigint AS n FROM dns_logs WHERE timestamp >= $1 AND timestamp < $2 AND dlid + 0 <= $3`, span),
        readFailed(stores.logs, servers, `timestamp >= $2 AND timestamp < $3 AND dlid + 0 <= $4`, span),
      ]);
      if (Number(count.rows[0].n) !== next.rows) {
        // some of the day's rows are gone: its cause rows stay as older rules built them (the reader counts it stale)
        incomplete.set(next.day, next.rows);
        return null;
      }
      const agg = aggregateCauses(failed, await resolveKinds(failed, stores.kindsOf), (srv) => dict.serverIds.get(servers[srv - 1]));
      await c.query(`DELETE FROM querylog_cause_day WHERE day = $1::date`, [next.day]);
      await writeCauses(c, agg, new Map());
      await c.query(
        `INSERT INTO querylog_cause_days (day, version, rows) VALUES ($1::date, $2, $3) ON CONFLICT (day) DO UPDATE SET version = EXCLUDED.version, rows = EXCLUDED.rows`,
        [next.day, CAUSE_VERSION, next.rows],
      );
      await c.query(BUMP_EPOCH, [stores.stateId ?? STATE_ID]);
      return next.day;
    });
    if (!rebuilt) break;
    done.push(rebuilt);
  }
  return done;
}

export interface CauseCounts {
  /** Per cause (position in CAUSES): failed answers in the range. */
  total: number[];
  /** Per hour number (epoch hours) in the range: counts per cause. */
  hours: Map<number, number[]>;
  /** Per client kind (position in CLIENT_KINDS), counts per cause. */
  kinds: number[][];
  /** Days in the range whose cause rows older rules built (back-fill pending, or their raw rows already expired). */
  staleDays: number;
  /** The rollup is far behind: rows past its watermark are not counted (the page says so). */
  behind: boolean;
}

/** A tail past the watermark longer than this is not read raw (the rollup is catching up; the answer says so). */
export const TAIL_MAX = 500_000;

/**
 * Failed answers by cause and client kind in [from, to), exactly: whole hours up to the watermark from the cause
 * rollup, the partial hours at the edges and the rows past the watermark from dns_logs (few rows, by index; their
 * clients' kinds from `kindsOf`). `serverIds`/`serverNames`: the instance filter (null: all).
 */
export async function readCauseCounts(
  stores: { logs: Db; deck: Db; stateId?: string },
  q: { from: Date; to: Date; serverIds: number[] | null; serverNames: string[] | null; kindsOf?: KindsOf },
): Promise<CauseCounts> {
  const K = CAUSES.length;
  const zero = () => new Array(K).fill(0) as number[];
  const total = zero();
  const hours = new Map<number, number[]>();
  const kinds = CLIENT_KINDS.map(zero);
  const fromH = Math.ceil(q.from.getTime() / HOUR);
  const toH = Math.floor(q.to.getTime() / HOUR); // whole hours [fromH, toH)
  const add = (hn: number, cause: number, kind: number, n: number) => {
    total[cause] += n;
    kinds[kind][cause] += n;
    (hours.get(hn) ?? hours.set(hn, zero()).get(hn)!)[cause] += n;
  };
  const [state, dict, newest] = await Promise.all([
    stores.deck.query(`SELECT watermark FROM querylog_state WHERE id = $1`, [stores.stateId ?? STATE_ID]),
    loadSigs(stores.deck),
    stores.logs.query(`SELECT max(dlid) AS m FROM dns_logs`),
  ]);
  const watermark = Number(state.rows[0]?.watermark ?? 0);
  const servers = [...dict.servers.entries()].sort((a, b) => a[0] - b[0]).map(([, n]) => n);
  const behind = Number(newest.rows[0]?.m ?? 0) - watermark > TAIL_MAX;

  let staleDays = 0;
  if (toH > fromH) {
    const d0 = Math.floor(fromH / 24);
    const d1 = Math.floor((toH - 1) / 24);
    const srvFilter = q.serverIds ? `AND server_id = ANY($3::smallint[])` : "";
    const [days, ledger] = await Promise.all([
      stores.deck.query(
        `SELECT (day - DATE '1970-01-01') AS dn, cause, kind, ${HCOLS.map((h) => `sum(${h})::int AS ${h}`).join(", ")}
           FROM querylog_cause_day WHERE day BETWEEN $1::date AND $2::date ${srvFilter} GROUP BY 1, 2, 3`,
        q.serverIds ? [dayText(d0), dayText(d1), q.serverIds] : [dayText(d0), dayText(d1)],
      ),
      stores.deck.query(`SELECT count(*)::int AS n FROM querylog_cause_days WHERE day BETWEEN $1::date AND $2::date AND version <> $3`, [dayText(d0), dayText(d1), CAUSE_VERSION]),
    ]);
    for (const r of days.rows) {
      const dn = Number(r.dn);
      for (let h = 0; h < 24; h++) {
        const hn = dn * 24 + h;
        const v = r[HCOLS[h]];
        if (v && hn >= fromH && hn < toH) add(hn, r.cause, r.kind, v);
      }
    }
    staleDays = Number(ledger.rows[0].n);
  }

  // raw: the partial hours at both edges (rows the rollups hold, i.e. ≤ the watermark), and rows past the watermark
  const rawSrv = q.serverNames ? `AND server = ANY($5::text[])` : "";
  const rawArgs = (a: unknown[]) => (q.serverNames ? [...a, q.serverNames] : a);
  const edges: [Date, Date][] = toH > fromH ? [[q.from, new Date(fromH * HOUR)], [new Date(toH * HOUR), q.to]] : [[q.from, q.to]];
  const reads = edges
    .filter(([a, b]) => b > a)
    .map(([a, b]) => readFailed(stores.logs, servers, `timestamp >= $2 AND timestamp < $3 AND dlid + 0 <= $4 ${rawSrv}`, rawArgs([a, b, watermark])));
  if (!behind) reads.push(readFailed(stores.logs, servers, `dlid > $4 AND timestamp >= $2 AND timestamp < $3 ${rawSrv}`, rawArgs([q.from, q.to, watermark])));
  const parts = await Promise.all(reads);
  const raw: FailedCols = {
    name: parts.flatMap((f) => f.name),
    client: parts.flatMap((f) => f.client),
    hn: Int32Array.from(parts.flatMap((f) => [...f.hn])),
    code: Float64Array.from(parts.flatMap((f) => [...f.code])),
    n: Int32Array.from(parts.flatMap((f) => [...f.n])),
  };
  const rawKinds = await resolveKinds(raw, q.kindsOf);
  for (let i = 0; i < raw.n.length; i++) {
    const d = decodeDims(raw.code[i]);
    const cause = causeIndex(raw.name[i], d.rcode, d.rt, d.qtype);
    if (cause >= 0) add(raw.hn[i], cause, rawKinds[i], raw.n[i]);
  }
  return { total, hours, kinds, staleDays, behind };
}
