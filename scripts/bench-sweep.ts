/**
 * `npm run bench:sweep` — random combined filters over ranges that start and end mid-hour, every panel (volume series,
 * RTT answers per day, the three top lists, exact count, first page) through dnsdeck's query layer, each checked against plain SQL
 * over dns_logs and timed beside it (the naive way: the same answers from dns_logs alone).
 *
 *   --per-day N    rows a day (default 600000, issue 14's rate); --days N (default 2), the newest ending a minute ago;
 *                  with more than 2 days the ranges include 7 and 90 days (or the whole set)
 *   --cases N      filters to try (default 120); --seed N picks them (default 5)
 *   --end ISO      the newest row's time (default a minute ago; the rollup runs as if a minute after it) — to replay a
 *                  run at another time of day
 *   --logs URL --deck URL   reuse databases from an earlier run (else fresh ones on the test server, dropped after;
 *                  --keep keeps them and prints their URLs)
 *
 * A mismatch is printed and makes the exit code 1 — except where the answer says it is an estimate or a list says it
 * may be short (a note), which is counted separately. A run that could not finish (the database went away, a query
 * failed) prints which stage and why, one line, and exits 2: `npm test` runs it once more, a mismatch never.
 */
import pg from "pg";
import { freshDatabase } from "@/server/testing/db";
import { generateQueryLogs } from "@/twin/querylogs/generate";
import { rollupCatchUp } from "@/server/querylogs/rollup";
import { listSchema, statsSchema } from "@/server/querylogs/schemas";
import { queryStats } from "@/server/querylogs/stats";
import { countRows, queryPage } from "@/server/querylogs/query";
import { conditions, Params, where } from "@/server/querylogs/raw";
import { surviveConnectionErrors } from "@/server/querylogs/db-types";

const arg = (name: string, dflt?: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : dflt;
};
const perDay = Number(arg("per-day", "600000"));
const days = Number(arg("days", "2"));
const cases = Number(arg("cases", "120"));
let seed = Number(arg("seed", "5"));
const keep = process.argv.includes("--keep");
const endAt = arg("end") ? new Date(arg("end")!) : new Date(Date.now() - 60_000);
if (Number.isNaN(endAt.getTime())) throw new Error(`--end: not a time: ${arg("end")}`);

const reuse = arg("logs") && arg("deck");
const [logsDb, deckDb] = reuse
  ? [{ url: arg("logs")!, drop: async () => {} }, { url: arg("deck")!, drop: async () => {} }]
  : await Promise.all([freshDatabase({ prefix: "sweep_logs", migrated: false }), freshDatabase({ prefix: "sweep_deck" })]);
const logs = new pg.Pool({ connectionString: logsDb.url, max: 6 });
const deck = new pg.Pool({ connectionString: deckDb.url, max: 4 });
// without listeners a connection the server ends is an uncaught exception that prints the client object and nothing
// about where the run was: say it in one line; the statement that meets it fails and the run says which stage
const said = (db: string) => (err: Error & { code?: string }) => console.warn(`${db}: a connection failed: ${err.message}${err.code ? ` (${err.code})` : ""}`);
surviveConnectionErrors(logs, said("dns_logs database"));
surviveConnectionErrors(deck, said("dnsdeck database"));
const stores = { logs, deck, deckConnect: () => deck.connect() };
let stage = "generating dns_logs";
try {
  if (!reuse) {
    let t = performance.now();
    console.log(`generating ${days} days × ${perDay.toLocaleString("en")} rows …`);
    await generateQueryLogs({ databaseUrl: logsDb.url, days, perDay, endAt, seed: 3, parallel: 2 });
    console.log(`  ${Math.round(performance.now() - t)} ms; rolling up …`);
    t = performance.now();
    stage = "the first rollup";
    await rollupCatchUp(stores, { now: new Date(endAt.getTime() + 60_000) });
    console.log(`  ${Math.round(performance.now() - t)} ms`);
  }
  stage = "sampling names and clients";
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
  const names: string[] = (await logs.query(`SELECT qname FROM dns_logs WHERE dlid % 2000 = 7 AND qname IS NOT NULL ORDER BY dlid LIMIT 300`)).rows.map((r) => r.qname);
  const clients: string[] = (await logs.query(`SELECT client_ip FROM dns_logs WHERE dlid % 2000 = 7 ORDER BY dlid LIMIT 300`)).rows.map((r) => r.client_ip);
  const bounds = (await logs.query(`SELECT min(timestamp) AS a, max(timestamp) AS b FROM dns_logs`)).rows[0];
  const t0 = new Date(bounds.a).getTime();
  const t1 = new Date(bounds.b).getTime();
  const dims: (() => [string, string])[] = [
    () => ["server", pick(["technitium", "technitium-secondary", "technitium-tertiary", "!technitium", "technitium,technitium-tertiary"])],
    () => ["rcode", pick(["NxDomain", "ServerFailure", "NoError", "!NoError", "Refused"])],
    () => ["qtype", pick(["A", "AAAA", "SRV", "!A", "PTR", "HTTPS"])],
    () => ["responseType", pick(["Recursive", "Cached", "Authoritative", "Blocked", "!Cached"])],
    () => ["protocol", pick(["Udp", "Tcp", "!Udp"])],
    () => ["client", pick([pick(clients), pick(clients), "!" + pick(clients), pick(clients).replace(/\.\d+$/, ".0/24"), "10.0.0.0/8", "192.168.0.0/16", "10.0.20.0/24"])],
    () => ["qname", pick([pick(names), pick(names), "*." + pick(names).split(".").slice(-2).join("."), "~" + pick(names).slice(1, 5), "!" + pick(names), "*.viktorbarzin.lan", "~github"])],
  ];
  // rows a day as loaded (a reused database may hold another load than --per-day says)
  const loaded = Number((await logs.query(`SELECT count(*) AS n FROM dns_logs`)).rows[0].n);
  const ours: number[] = [];
  const slowest: [number, string][] = [];
  const naive: number[] = [];
  let bad = 0;
  let labelled = 0;
  for (let i = 0; i < cases; i++) {
    const params: Record<string, string> = {};
    for (let k = 1 + Math.floor(rnd() * 3); k > 0; k--) {
      const [a, b] = pick(dims)();
      params[a] = b;
    }
    const span = pick(days > 2 ? [24, 5.3, 30, 24 * 7, 24 * 90, 24 * 90] : [24, 48, 5.3, 30]) * 3_600_000;
    const to = pick([t1 + 60_000, t0 + Math.floor(rnd() * (t1 - t0))]);
    const base = { from: new Date(to - span).toISOString(), to: new Date(to).toISOString(), ...params };
    const label = JSON.stringify(base);
    stage = `filter ${i + 1} of ${cases} ${label}`;
    // hourly buckets, and 5-minute ones for every other range of up to two days (packed days keep their slots apart)
    const step = span <= 48 * 3_600_000 && i % 2 === 1 ? 300 : 3600;
    const s = statsSchema.parse({ ...base, bucket: step === 300 ? "5m" : "1h" });
    const l = listSchema.parse(base);
    // dnsdeck: what the page asks on a filter change (charts, top lists, rows with a count)
    let a = performance.now();
    const [st, page, count] = await Promise.all([queryStats(stores, s.filter, { bucket: s.bucket }), queryPage(stores, l.filter, { limit: 50 }), countRows(stores, l.filter, { exact: true })]);
    ours.push(performance.now() - a);
    slowest.push([performance.now() - a, label]);
    // the naive way: the same answers from dns_logs
    const prm = new Params();
    const w = where(conditions(s.filter, prm, { from: s.filter.from, to: s.filter.to }));
    a = performance.now();
    const top = (col: string, extra: string) => logs.query(`SELECT ${col} AS key, count(*)::int AS n FROM dns_logs WHERE ${w} AND ${extra} GROUP BY 1 ORDER BY 2 DESC, 1`, prm.values);
    const [series, rtt, tn, tc, tb, first] = await Promise.all([
      logs.query(`SELECT floor(extract(epoch FROM timestamp) / ${step})::bigint * ${step} * 1000 AS t, count(*)::int AS n FROM dns_logs WHERE ${w} GROUP BY 1`, prm.values),
      logs.query(`SELECT floor(extract(epoch FROM timestamp) / 86400)::bigint AS d, count(*)::int AS n FROM dns_logs WHERE ${w} AND response_rtt IS NOT NULL GROUP BY 1`, prm.values),
      top("qname", "qname IS NOT NULL"),
      top("client_ip", "true"),
      top("qname", "qname IS NOT NULL AND response_type IN (4, 5, 6)"),
      logs.query(`SELECT dlid FROM dns_logs WHERE ${w} ORDER BY timestamp DESC, dlid DESC LIMIT 50`, prm.values),
    ]);
    naive.push(performance.now() - a);
    const truth = series.rows.reduce((x, r) => x + r.n, 0);
    const errs: string[] = [];
    const soft: string[] = [];
    const total = st.series.reduce((x, p) => x + p.total, 0);
    if (total !== truth) (st.source === "estimate" ? soft : errs).push(`series ${total} vs ${truth}`);
    const perBucket = new Map(series.rows.map((r) => [Number(r.t), r.n]));
    const offBuckets = st.series.filter((p) => p.total !== (perBucket.get(Date.parse(p.t)) ?? 0)).length;
    if (offBuckets && total === truth) (st.source === "estimate" ? soft : errs).push(`series: ${offBuckets} ${step === 300 ? "5-minute" : "hourly"} bucket(s) differ from SQL`);
    // RTT: the answers each day's percentiles stand on (busy keys' histograms are per day: compared per day)
    const rttDays = new Map<number, number>();
    for (const p of st.rttAll) rttDays.set(Math.floor(Date.parse(p.t) / 86_400_000), (rttDays.get(Math.floor(Date.parse(p.t) / 86_400_000)) ?? 0) + p.count);
    const rttOff = rtt.rows.filter((r) => rttDays.get(Number(r.d)) !== r.n).length + [...rttDays.keys()].filter((d) => !rtt.rows.some((r) => Number(r.d) === d)).length;
    if (rttOff) (st.source === "estimate" ? soft : errs).push(`RTT answers differ from SQL on ${rttOff} day(s): ${[...rttDays.values()].reduce((x, y) => x + y, 0)} vs ${rtt.rows.reduce((x, r) => x + r.n, 0)}`);
    for (const [list, rows] of [["names", tn.rows], ["clients", tc.rows], ["blocked", tb.rows]] as const) {
      const want = new Map<string, number>(rows.map((r) => [r.key, r.n]));
      const got = st.top[list];
      const q = st.top.quality[list];
      if (q !== "estimate") for (const e of got) if (want.get(e.key) !== e.count) errs.push(`${list} ${e.key} ${e.count} vs ${want.get(e.key)}`);
      if (q === "exact" && JSON.stringify(got.map((e) => e.count)) !== JSON.stringify(rows.slice(0, 20).map((r) => r.n))) errs.push(`${list} says exact but is not SQL's top 20`);
      if (got.length < Math.min(20, want.size)) (q !== "exact" && st.notes.length ? soft : errs).push(`${list} lists ${got.length} of ${want.size} (${q})`);
    }
    if (count.value !== truth) errs.push(`exact count ${count.value} vs ${truth}`);
    if (JSON.stringify(page.rows.map((r) => Number(r.id))) !== JSON.stringify(first.rows.map((r) => Number(r.dlid)))) errs.push("first page differs");
    if (errs.length) {
      bad++;
      console.log(`MISMATCH ${label}\n    ${errs.join("\n    ")}`);
    } else if (soft.length) {
      labelled++;
      console.log(`labelled ${label}\n    ${soft.join("\n    ")}${st.notes.length ? `\n    notes: ${st.notes.join(" | ")}` : ""}`);
    }
  }
  const q = (xs: number[], p: number) => [...xs].sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
  const f = (n: number) => `${Math.round(n)} ms`;
  console.log(`\n${cases} filters over ${loaded.toLocaleString("en")} rows (${days} days) (a filter change: charts, top lists, first page, exact count)`);
  console.log(`  dnsdeck   median ${f(q(ours, 0.5))}  p90 ${f(q(ours, 0.9))}  p95 ${f(q(ours, 0.95))}  max ${f(q(ours, 1))}`);
  console.log(`  plain SQL median ${f(q(naive, 0.5))}  p90 ${f(q(naive, 0.9))}  p95 ${f(q(naive, 0.95))}  max ${f(q(naive, 1))}`);
  console.log(`  ratio (SQL / dnsdeck) at the median ${(q(naive, 0.5) / q(ours, 0.5)).toFixed(1)}×, at p95 ${(q(naive, 0.95) / q(ours, 0.95)).toFixed(1)}×`);
  console.log(`  answers equal to SQL: ${cases - bad - labelled}; labelled estimates or short lists that say so: ${labelled}; mismatches: ${bad}`);
  console.log("  slowest:");
  for (const [ms, label] of slowest.sort((x, y) => y[0] - x[0]).slice(0, 5)) console.log(`    ${f(ms)}  ${label}`);
  process.exitCode = bad ? 1 : 0;
} catch (err) {
  const e = err as Error & { code?: string };
  console.error(`sweep could not finish: ${stage}: ${e.message}${e.code ? ` (${e.code})` : ""}`);
  if (e.stack) console.error(e.stack.split("\n").slice(1, 6).join("\n"));
  process.exitCode = 2;
} finally {
  await logs.end();
  await deck.end();
  if (keep && !reuse) console.log(`kept: --logs ${logsDb.url} --deck ${deckDb.url}`);
  else await Promise.all([logsDb.drop(), deckDb.drop()]).catch((e: Error) => console.warn(`could not drop the sweep's databases: ${e.message}`));
}
