/**
 * Estimates from querylog_sample (one dns_logs row in 128, chosen by a hash of dlid) for what no rollup answers
 * exactly: a client AND a name together, or a name pattern matching thousands of names, when raw rows would be too
 * many. An estimate from k sampled rows is off by about 1/√k; below MIN_HITS the count is reported as unknown rather
 * than guessed. Pure apart from the handles in the plan.
 */
import type { Acc } from "./acc";
import type { Plan } from "./plan";
import { clientSetSql } from "./raw";
import { SAMPLE_EVERY } from "./rollup-read";

export const MIN_HITS = 25;
/** Sample rows one request may scan; wider ranges read a random subset of the sample's pages. */
const SCAN_MAX = 40_000;

export interface SampleCond {
  sql: string;
  values: unknown[];
}

/**
 * A sample row's client or name passes `cond` (on c / n), looked up by id per row. Only broad filters get here (more
 * than a few thousand matching keys): as EXISTS the planner hashed every matching key first — 2.2M names for
 * `~telemetry` in the 54M-row benchmark, 1.7 s — where the ≤ 40,000 sample rows a request reads take one index lookup
 * each (~0.1 s). A row without a name (or client) does not match; negated, it does.
 */
function keyIs(kind: "client" | "name", not: boolean, cond: string): string {
  const lookup = kind === "client" ? `SELECT ${cond} FROM querylog_clients c WHERE c.id = s.client_id` : `SELECT ${cond} FROM querylog_names n WHERE n.id = s.name_id`;
  return `${not ? "NOT " : ""}coalesce((${lookup}), false)`;
}

/** WHERE conditions on querylog_sample s for the plan's filter (signatures, client ids, name ids or pattern). */
export function sampleConds(p: Plan, first = 1): SampleCond {
  const values: unknown[] = [];
  const add = (v: unknown) => `$${first + values.push(v) - 1}`;
  const out = [`s.ts >= ${add(p.from)}`, `s.ts < ${add(p.to)}`];
  if (p.mask) {
    const ids: number[] = [];
    p.mask.forEach((v, i) => v && ids.push(i));
    out.push(`s.sig = ANY(${add(ids)}::smallint[])`);
  }
  if (p.filter.clientSet) {
    const cond = clientSetSql(p.filter.clientSet, add, "c.ip", "s.ts");
    out.push(keyIs("client", p.filter.clientSet.not, cond));
  } else if (p.client) {
    if (p.client.broad && p.filter.client?.kind === "list") out.push(keyIs("client", p.client.not, `c.ip = ANY(${add(p.filter.client.values ?? [])}::text[])`));
    else if (p.client.broad) out.push(keyIs("client", p.client.not, `c.addr <<= ${add(p.filter.client!.value)}::inet`));
    else out.push(p.client.not ? `s.client_id <> ALL(${add(p.client.ids)}::int[])` : `s.client_id = ANY(${add(p.client.ids)}::int[])`);
  }
  if (p.name) {
    if (p.name.broad) out.push(keyIs("name", p.name.not, `lower(n.name) LIKE ${add(p.filter.qname!.like)}`));
    else out.push(p.name.not ? `(s.name_id IS NULL OR s.name_id <> ALL(${add(p.name.ids)}::int[]))` : `s.name_id = ANY(${add(p.name.ids)}::int[])`);
  }
  return { sql: out.join(" AND "), values };
}

/**
 * The rows matching a client and/or name filter, estimated from the sample when it clearly holds more than `over` of
 * them (one count over the sample's client/name index, no lookup per row); null when it cannot say so — then the
 * caller asks the rollups exactly. "Clearly": ≥ 4× `over` from ≥ 1,000 sampled rows (a few per cent off at most).
 */
export async function clearlyMoreThan(p: Plan, over: number): Promise<number | null> {
  // a negated key scans the whole range's sample; the cubes bound it cheaply instead
  if (perRowLookup(p) || (!p.client && !p.name) || p.client?.not || p.name?.not || p.empty) return null;
  const c = sampleConds(p);
  const { rows } = await p.stores.deck.query(`SELECT count(*)::int AS n FROM querylog_sample s WHERE ${c.sql}`, c.values);
  const hits = Number(rows[0].n);
  return hits >= 1_000 && hits * SAMPLE_EVERY > 4 * over ? hits * SAMPLE_EVERY : null;
}

/** How many sample rows fall in the plan's range (from the hour spans: no scan). */
async function sampleRowsInRange(p: Plan): Promise<number> {
  const { rows } = await p.stores.deck.query(`SELECT coalesce(sum(n), 0)::bigint AS n FROM querylog_hour_span WHERE hour >= date_trunc('hour', $1::timestamptz, 'UTC') AND hour < $2`, [p.from, p.to]);
  return Number(rows[0].n) / SAMPLE_EVERY;
}

/** The plan's sample conditions look a key up per row (keyIs): such reads are bounded by sampleScan. */
export const perRowLookup = (p: Plan): boolean => !!(p.filter.clientSet || p.client?.broad || p.name?.broad);

/**
 * How much of the sample one request reads when each row costs work (a range's whole sample, or broad filters' lookups
 * per row): at most SCAN_MAX rows, as a subset of its pages chosen with a fixed seed — the same question gets the same
 * answer while the sample is unchanged. `scale` turns a count of scanned rows into dns_logs rows.
 */
export async function sampleScan(p: Plan): Promise<{ clause: string; scale: number; pct: number }> {
  const inRange = await sampleRowsInRange(p);
  const pct = inRange > SCAN_MAX ? Math.max(0.5, (SCAN_MAX / inRange) * 100) : 100;
  return { clause: pct < 100 ? `TABLESAMPLE SYSTEM (${pct.toFixed(3)}) REPEATABLE (7)` : "", scale: SAMPLE_EVERY * (100 / pct), pct };
}

/** sampleScan where the filter looks keys up per row (perRowLookup); otherwise the whole sample in range (by index). */
export async function scanFor(p: Plan): Promise<{ clause: string; scale: number; pct: number }> {
  return perRowLookup(p) ? sampleScan(p) : { clause: "", scale: SAMPLE_EVERY, pct: 100 };
}

/** The sample's rows for the filter, scaled up, into acc (marked approximate; `unknown` when too thin). */
export async function sampleEstimate(p: Plan, acc: Acc & { unknown?: boolean }): Promise<void> {
  const { clause, scale } = await sampleScan(p);
  const c = sampleConds(p);
  const { rows } = await p.stores.deck.query(
    `SELECT floor(extract(epoch FROM s.ts) * 1000 / ${acc.step})::bigint * ${acc.step} AS t, s.sig, count(*) AS n
       FROM querylog_sample s ${clause} WHERE ${c.sql} GROUP BY 1, 2`,
    c.values,
  );
  let hits = 0;
  for (const r of rows) {
    hits += Number(r.n);
    acc.addSig(Number(r.t), r.sig, Number(r.n) * scale);
  }
  acc.approximate = true;
  if (hits < MIN_HITS) {
    acc.unknown = true;
    acc.notes.push(`Too few matching rows in dnsdeck's sample (${hits}) to estimate this filter; ask for the exact count.`);
  } else acc.notes.push(`Estimated from dnsdeck's 1-in-${SAMPLE_EVERY} sample of the rows (${hits} sampled rows match; typically within ±${Math.ceil(200 / Math.sqrt(hits))} %).`);
}
