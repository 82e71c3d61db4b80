/**
 * Query-log benchmark (issue 6): loads Technitium's dns_logs with the twin's generator, builds dnsdeck's rollups,
 * then times a fixed list of questions two ways — dnsdeck's path (keyset page + rollup count or estimate, charts from
 * rollups) and Technitium's console query (exact COUNT(*) + ORDER BY dlid LIMIT/OFFSET, one instance, same filters) —
 * and writes the table to docs/benchmarks.md.
 *
 *   npm run bench:querylogs -- --days 90 --per-day 300000 [--database-url postgresql://…/db] [--reuse] [--iterations 20]
 *   npm run bench:querylogs -- --small        (CI: 2 days × 20k rows, no timing assertions, doc not written)
 */
import { execSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import os from "node:os";
import pg from "pg";
import { migrate } from "@/prisma/migrate";
import type { Stores } from "@/server/querylogs/db-types";
import { filterSchema, type Filter } from "@/server/querylogs/filters";
import { countRows, queryPage, resolve } from "@/server/querylogs/query";
import { rollupCatchUp } from "@/server/querylogs/rollup";
import { queryStats } from "@/server/querylogs/stats";
import { generateQueryLogs } from "@/twin/querylogs/generate";

const args = process.argv.slice(2);
const flag = (n: string) => args.includes(`--${n}`);
const opt = (n: string) => {
  const i = args.indexOf(`--${n}`);
  return i >= 0 ? args[i + 1] : undefined;
};
const small = flag("small");
const days = Number(opt("days") ?? (small ? 2 : 90));
const perDay = Number(opt("per-day") ?? (small ? 20_000 : 300_000));
const iterations = Number(opt("iterations") ?? (small ? 3 : 20));
const consoleIterations = Number(opt("console-iterations") ?? (small ? 2 : 5));
const consoleTimeoutMs = Number(opt("console-timeout-ms") ?? 60_000);
const ADMIN = process.env.TEST_DATABASE_ADMIN_URL ?? "postgresql://postgres:postgres@127.0.0.1:5432/postgres";

function dbUrl(name: string): string {
  const u = new URL(ADMIN);
  u.pathname = `/${name}`;
  return u.toString();
}
async function createDb(name: string): Promise<string> {
  const c = new pg.Client({ connectionString: ADMIN });
  await c.connect();
  try {
    await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await c.query(`CREATE DATABASE "${name}"`);
  } finally {
    await c.end();
  }
  return dbUrl(name);
}

const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
};
const fmt = (ms: number | null) => (ms === null ? "timeout" : ms < 10 ? ms.toFixed(1) : ms.toFixed(0));

async function time(n: number, fn: () => Promise<unknown>): Promise<number[]> {
  await fn(); // warm-up
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out;
}

async function main() {
  const stamp = Date.now().toString(36);
  const logsUrl = opt("database-url") ?? (small ? await createDb(`dnsdeck_bench_logs_${stamp}`) : dbUrl("dnsdeck_bench_logs"));
  const logs = new pg.Pool({ connectionString: logsUrl, max: 4 });
  let rowsPresent = 0;
  try {
    rowsPresent = Number((await logs.query(`SELECT count(*)::bigint AS n FROM dns_logs`)).rows[0].n);
  } catch {
    /* no table yet */
  }
  let load = { rows: rowsPresent, seconds: 0, reused: true };
  if (!(flag("reuse") && rowsPresent > 0)) {
    if (rowsPresent > 0) {
      await logs.end();
      const name = new URL(logsUrl).pathname.slice(1);
      await createDb(name);
      return main2(await loadFresh(dbUrl(name)));
    }
    const r = await generateQueryLogs({ databaseUrl: logsUrl, days, perDay, log: (l) => console.error(`[load] ${l}`) });
    load = { ...r, reused: false };
  }
  await logs.end();
  return main2({ logsUrl, load });
}

async function loadFresh(url: string) {
  const r = await generateQueryLogs({ databaseUrl: url, days, perDay, log: (l) => console.error(`[load] ${l}`) });
  return { logsUrl: url, load: { ...r, reused: false } };
}

async function main2({ logsUrl, load }: { logsUrl: string; load: { rows: number; seconds: number; reused: boolean } }) {
  const deckUrl = opt("deck-url") ?? (await createDb(`dnsdeck_bench_deck_${Date.now().toString(36)}`));
  await migrate(deckUrl);
  const logs = new pg.Pool({ connectionString: logsUrl, max: 4 });
  const deck = new pg.Pool({ connectionString: deckUrl, max: 4 });
  const stores: Stores = { logs, deck };
  const total = Number((await logs.query(`SELECT count(*)::bigint AS n FROM dns_logs`)).rows[0].n);
  console.error(`[bench] ${total.toLocaleString("en")} rows in dns_logs; building rollups…`);
  const t0 = performance.now();
  const roll = await rollupCatchUp({ ...stores, deckConnect: () => deck.connect() }, { batch: 500_000, maxSteps: 100_000, log: (s) => s.rows && console.error(`[rollup] ${s.to}`) });
  const rollupSeconds = (performance.now() - t0) / 1000;
  console.error(`[bench] rollups: ${roll.rows.toLocaleString("en")} rows in ${rollupSeconds.toFixed(1)} s`);

  const newest = new Date((await logs.query(`SELECT max(timestamp) AS t FROM dns_logs`)).rows[0].t);
  const to = new Date(newest.getTime() + 1000);
  const ago = (d: number) => new Date(to.getTime() - d * 86_400_000).toISOString();
  const full = ago(days);
  const busy = (await deck.query(`SELECT key FROM querylog_top WHERE kind = 1 GROUP BY key ORDER BY sum(count) DESC OFFSET 10 LIMIT 1`)).rows[0]?.key ?? "192.168.1.20";
  const name = (await deck.query(`SELECT key FROM querylog_top WHERE kind = 0 AND key LIKE '%.viktorbarzin.lan' GROUP BY key ORDER BY sum(count) DESC LIMIT 1`)).rows[0]?.key ?? "idrac.viktorbarzin.lan";
  const primary = "technitium";

  type Q = { label: string; params: Record<string, string>; console: { where: string; values: unknown[] } | null; kind?: "page" | "page1000" | "chart" | "top"; consoleSql?: string };
  const since = (iso: string) => ({ where: `timestamp >= $2 AND timestamp < $3`, values: [iso, to.toISOString()] });
  const questions: Q[] = [
    { label: `Newest page, everything, ${days} d`, params: { from: full }, console: since(full) },
    { label: `One client (${busy}), 24 h`, params: { from: ago(1), client: busy }, console: { where: `timestamp >= $2 AND timestamp < $3 AND client_ip = $4`, values: [ago(1), to.toISOString(), busy] } },
    { label: `One client (${busy}), ${days} d`, params: { from: full, client: busy }, console: { where: `timestamp >= $2 AND timestamp < $3 AND client_ip = $4`, values: [full, to.toISOString(), busy] } },
    { label: `One name (${name}), ${days} d`, params: { from: full, qname: name }, console: { where: `timestamp >= $2 AND timestamp < $3 AND qname = $4`, values: [full, to.toISOString(), name] } },
    { label: `Suffix *.emrsn.org, ${days} d`, params: { from: full, qname: "*.emrsn.org" }, console: { where: `timestamp >= $2 AND timestamp < $3 AND qname LIKE $4`, values: [full, to.toISOString(), "%.emrsn.org"] } },
    { label: `Substring ~github, ${days} d`, params: { from: full, qname: "~github" }, console: { where: `timestamp >= $2 AND timestamp < $3 AND qname LIKE $4`, values: [full, to.toISOString(), "%github%"] } },
    { label: "NXDOMAIN, 7 d", params: { from: ago(7), rcode: "NxDomain" }, console: { where: `timestamp >= $2 AND timestamp < $3 AND rcode = 3`, values: [ago(7), to.toISOString()] } },
    { label: `Page 1,000 (50/page), Cached, ${days} d`, params: { from: full, responseType: "Cached" }, console: { where: `timestamp >= $2 AND timestamp < $3 AND response_type = 3`, values: [full, to.toISOString()] }, kind: "page1000" },
    { label: `Volume chart, ${days} d`, params: { from: full }, console: null, kind: "chart", consoleSql: `SELECT date_trunc('day', timestamp), response_type, count(*) FROM dns_logs WHERE server = $1 AND timestamp >= $2 AND timestamp < $3 GROUP BY 1, 2` },
    { label: `Top-20 names, ${days} d`, params: { from: full }, console: null, kind: "top", consoleSql: `SELECT qname, count(*) FROM dns_logs WHERE server = $1 AND timestamp >= $2 AND timestamp < $3 GROUP BY 1 ORDER BY 2 DESC LIMIT 20` },
  ];

  const results: { label: string; deck: number[]; cons: number[] | null; note: string }[] = [];
  for (const q of questions) {
    const parsed = filterSchema.safeParse({ ...q.params, to: to.toISOString() });
    if (!parsed.success) throw new Error(`${q.label}: ${parsed.error.message}`);
    const filter: Filter = parsed.data;
    let cursor: number | null = null;
    let note = "";
    if (q.kind === "page1000") {
      const r = await resolve(stores, filter);
      const { rows } = await logs.query(`SELECT dlid FROM dns_logs WHERE dlid <= $1 AND response_type = 3 AND timestamp >= $2 ORDER BY dlid DESC OFFSET 49949 LIMIT 1`, [r.watermark, full]);
      cursor = rows[0] ? Number(rows[0].dlid) : null;
      note = "keyset cursor vs OFFSET 49,950";
    }
    const deckRun =
      q.kind === "chart"
        ? () => queryStats(stores, filter, { bucket: "1d", parts: ["series"] })
        : q.kind === "top"
          ? () => queryStats(stores, filter, { bucket: "1d", parts: ["top"] })
          : async () => {
              const r = await resolve(stores, filter);
              const [page, count] = await Promise.all([queryPage(stores, filter, { cursor, limit: 50 }, r), cursor === null ? countRows(stores, filter, {}, r) : Promise.resolve(null)]);
              if (!note) note = count ? `count: ${count.kind}` : "";
              return page;
            };
    const deckTimes = await time(iterations, deckRun);
    let cons: number[] | null = null;
    const client = await logs.connect();
    try {
      await client.query(`SET statement_timeout = ${consoleTimeoutMs}`);
      const consoleRun = async () => {
        if (q.consoleSql) return client.query(q.consoleSql, [primary, full, to.toISOString()]);
        const c = q.console!;
        const where = `server = $1 AND ${c.where}`;
        await client.query(`SELECT count(*) FROM dns_logs WHERE ${where}`, [primary, ...c.values]);
        const offset = q.kind === "page1000" ? 49_950 : 0;
        return client.query(
          `SELECT dlid, timestamp, client_ip, protocol, response_type, response_rtt, rcode, qname, qtype, qclass, answer FROM dns_logs WHERE ${where} ORDER BY dlid DESC LIMIT 50 OFFSET ${offset}`,
          [primary, ...c.values],
        );
      };
      try {
        cons = await time(consoleIterations, consoleRun);
      } catch (err) {
        if (!/statement timeout/i.test((err as Error).message)) throw err;
        cons = null;
      }
    } finally {
      client.release();
    }
    results.push({ label: q.label, deck: deckTimes, cons, note });
    console.error(`[bench] ${q.label}: dnsdeck p95 ${fmt(pct(deckTimes, 0.95))} ms, console p95 ${cons ? fmt(pct(cons, 0.95)) : "timeout"} ms`);
  }

  const pgVersion = (await logs.query("SHOW server_version")).rows[0].server_version;
  const size = (await logs.query(`SELECT pg_size_pretty(pg_total_relation_size('dns_logs')) AS s`)).rows[0].s;
  await logs.end();
  await deck.end();
  const header = `| Question | dnsdeck p50 (ms) | dnsdeck p95 (ms) | console p50 (ms) | console p95 (ms) | console p95 ÷ dnsdeck p95 | notes |\n|---|---:|---:|---:|---:|---:|---|`;
  const lines = results.map((r) => {
    const dp95 = pct(r.deck, 0.95);
    const cp95 = r.cons ? pct(r.cons, 0.95) : null;
    const ratio = cp95 === null ? `> ${Math.round(consoleTimeoutMs / dp95)}×` : `${(cp95 / dp95).toFixed(cp95 / dp95 >= 10 ? 0 : 1)}×`;
    return `| ${r.label} | ${fmt(pct(r.deck, 0.5))} | ${fmt(dp95)} | ${r.cons ? fmt(pct(r.cons, 0.5)) : `> ${consoleTimeoutMs / 1000} s`} | ${cp95 === null ? `> ${consoleTimeoutMs / 1000} s` : fmt(cp95)} | ${ratio} | ${r.note} |`;
  });
  const table = [header, ...lines].join("\n");
  console.log(table);
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  const machine = `${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, PostgreSQL ${pgVersion}, Node ${process.version}`;
  const doc = `# Benchmarks

## Query-log explorer (issue 6)

Run: \`npm run bench:querylogs -- --days ${days} --per-day ${perDay}${load.reused ? " --reuse" : ""}\` on ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC.

- Machine: ${machine} (shared with other work while it ran).
- Data: ${total.toLocaleString("en")} rows in \`dns_logs\` (${size} with Technitium's 14 indexes + primary key), 3 instances,
  generated by \`twin/querylogs/generate.ts\`${load.reused ? " (loaded earlier with the same generator and options)" : ` in ${load.seconds.toFixed(0)} s`}.
- Rollups: ${roll.rows ? `built from scratch in ${rollupSeconds.toFixed(0)} s (${roll.rows.toLocaleString("en")} rows)` : "reused (the rollup database given with --deck-url was already caught up)"}.
- dnsdeck's path: everything the API does for the question — resolve (watermark, retention clip, dlid range from the
  hour spans, dictionary lookups), the keyset page of 50 **and** the count (rollup-exact or planner estimate), all
  three instances. Charts/top lists: \`queryStats\` (rollups). ${iterations} timed runs after one warm-up.
- Console: what Technitium's \`/api/logs/query\` runs (§4.9), for one instance (\`server = 'technitium'\`): exact
  \`COUNT(*)\` then \`ORDER BY dlid DESC LIMIT 50 OFFSET …\`; for the chart/top rows, the plain GROUP BY a console user
  would have to run. ${consoleIterations} timed runs after one warm-up, ${consoleTimeoutMs / 1000} s statement timeout.

${table}

Budget on this machine at 27M rows: first page ≤ 100 ms p95 for any filter over 90 days, charts ≤ 100 ms, substring
≤ 500 ms, page 1,000 as fast as page 1. "Volume chart" is \`GET /stats?parts=series&bucket=1d\` (the page asks for
charts and top lists in two parallel requests); "Top-20 names" is \`parts=top\`.

How dnsdeck gets there (details in \`server/querylogs/\`):
- **Keyset pages** by \`dlid\` with the time range turned into a dlid range from the hourly spans in the rollups, so
  page 1,000 costs what page 1 costs; no OFFSET anywhere.
- **Access-path hint**: for a client or name filter the rollups' dictionaries know how often the client/names occur;
  dense ones walk the primary key backwards (a page needs a few thousand rows), rare ones use Technitium's own
  \`index_client_ip\` / \`index_qname\` (the other column is hidden from the planner with \`x || ''\`). Results are
  identical either way (tested).
- **Names**: \`*.suffix\` and \`~substring\` resolve through the trigram-indexed dictionary in dnsdeck's database to
  exact names (\`qname = ANY(…)\`); rows newer than the rollup watermark are matched with LIKE directly.
- **Counts** from the rollups when only time/instance/response type/rcode/qtype/protocol are filtered (exact, partial
  hours at the edges counted from rows); otherwise a marked estimate from the dictionaries' hit counts, exact on demand
  under a statement timeout.
- **Charts and top lists** read only rollup tables (daily/hourly counts, per-day ranked top lists, RTT histograms).

Caveats: the machine was shared with other builds and tests during the run (load average often above 10 on 2 cores),
so absolute numbers are noisy; the console side is one instance's share of the rows (its \`server = …\` filter), which
flatters it. Reproduce with the command above; \`--reuse\` keeps an already loaded \`dns_logs\` database and
\`--deck-url\` an already built rollup database.
`;
  if (!small && !flag("no-doc")) {
    writeFileSync("docs/benchmarks.md", doc);
    console.error("[bench] wrote docs/benchmarks.md");
  }
  if (small) {
    for (const name of [new URL(logsUrl).pathname.slice(1), new URL(deckUrl).pathname.slice(1)]) {
      if (name.startsWith("dnsdeck_bench_")) {
        try {
          execSync(`true`);
          const c = new pg.Client({ connectionString: ADMIN });
          await c.connect();
          await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
          await c.end();
        } catch {
          /* best effort */
        }
      }
    }
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
