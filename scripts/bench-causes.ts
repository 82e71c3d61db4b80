// Why queries fail, over 90 days (issue 12): the cause shares per kind of client, as the causes page reads them (the
// cause rollup, which recorded each client's kind from the directory as it was built), against the same work done
// the naive way (every failed row of the range grouped in dns_logs, classified, each client named per hour).
//
//   npm run bench:causes -- [--days 90] [--per-day 60000] [--runs 40] [--pods 300] [--keep]
//
// On fresh databases of the real PostgreSQL (TEST_DATABASE_ADMIN_URL, default the local one): dns_logs filled by the
// query-log benchmark's own generator (1,600 clients with a 1/rank popularity, per-client home instances), the rollups
// built by the worker's own function with the worker's options (timed) over a client directory with reused pod
// addresses and LAN reverse names. Prints p50/p95 of both ways, the ratio, the table sizes, and checks both count alike.
import { performance } from "node:perf_hooks";
import pg from "pg";
import { CAUSES, classify } from "@/k8s/causes";
import { CLIENT_KINDS } from "@/k8s/clients";
import { surviveConnectionErrors } from "@/server/querylogs/db-types";
import { freshDatabase } from "@/server/testing/db";
import { generateBenchQueryLogs } from "./bench/querylog-dataset";

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const DAYS = Number(arg("days", "90"));
const PER_DAY = Number(arg("per-day", "60000"));
const RUNS = Number(arg("runs", "40"));
const PODS = Number(arg("pods", "300"));
const DAY = 86_400_000;
const log = (l: string) => console.error(`[bench:causes] ${l}`);
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];

const [logsDb, deckDb] = await Promise.all([freshDatabase({ prefix: "dnsdeck_bench_causes_logs", migrated: false }), freshDatabase({ prefix: "dnsdeck_bench_causes_deck" })]);
process.env.DATABASE_URL = deckDb.url;
Object.assign(process.env, { AUTH_MODE: "demo", TECHNITIUM_INSTANCES: "primary=http://127.0.0.1:9", TECHNITIUM_TOKEN_PRIMARY: "unused" });
const { db } = await import("@/server/db/client");
const { nameClientsOver } = await import("@/server/clients/directory");
const { rollupTick, WORKER_TICK } = await import("@/server/querylogs/rollup");
const { readCauseCounts } = await import("@/server/querylogs/rollup-causes");

const logs = surviveConnectionErrors(new pg.Pool({ connectionString: logsDb.url, max: 4 }));
const deck = surviveConnectionErrors(new pg.Pool({ connectionString: deckDb.url, max: 4 }));
try {
  const end = new Date();
  const g0 = performance.now();
  await generateBenchQueryLogs({ databaseUrl: logsDb.url, days: DAYS, perDay: PER_DAY, endAt: end, log: (l) => log(`load: ${l}`) });
  const rows = Number((await logs.query(`SELECT count(*) AS n FROM dns_logs`)).rows[0].n);
  log(`dns_logs: ${rows.toLocaleString("en")} rows in ${((performance.now() - g0) / 1000).toFixed(0)} s`);

  // the directory: nodes, CoreDNS pods and pod addresses reused over the range, LAN devices with reverse names
  const start = end.getTime() - DAYS * DAY;
  const clients = (await logs.query(`SELECT DISTINCT client_ip FROM dns_logs`)).rows.map((r) => r.client_ip as string);
  const pods = clients.filter((ip) => ip.startsWith("10.244.")).slice(0, PODS);
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const intervals: { ip: string; kind: string; name: string; namespace: string | null; node: string | null; validFrom: Date; validTo: Date | null }[] = [];
  pods.forEach((ip, p) => {
    let t = start;
    let k = 0;
    while (t < end.getTime()) {
      const to = t + (0.5 + rnd() * 3) * DAY;
      const coredns = p < 3;
      intervals.push({ ip, kind: coredns ? "coredns-pod" : "pod", name: coredns ? `coredns-7db6d8ff4d-${p}${k}` : `app-${p}-${k}`, namespace: coredns ? "kube-system" : "apps", node: `k8s-node${p % 4}`, validFrom: new Date(t), validTo: to >= end.getTime() ? null : new Date(to) });
      t = to + rnd() * 3_600_000;
      k++;
    }
  });
  for (let i = 0; i < intervals.length; i += 5000) await db().clientAddress.createMany({ data: intervals.slice(i, i + 5000) });
  const lan = clients.filter((ip) => ip.startsWith("192.168.1.")).map((ip, i) => ({ ip, name: `device-${i}.viktorbarzin.lan`, lookedUpAt: end, expiresAt: new Date(end.getTime() + DAY) }));
  await db().clientName.createMany({ data: lan });

  // the worker's path: ticks with the worker's options until caught up
  const b0 = performance.now();
  const kindsOf = async (items: { ip: string; at: Date }[], a: Date, b: Date) => (await nameClientsOver(items, a, b)).map((c) => c.kind);
  const stores = { logs, deck, deckConnect: () => deck.connect(), kindsOf };
  for (;;) {
    const t = await rollupTick(stores, { ...WORKER_TICK, now: new Date(end.getTime() + 120_000) });
    if (t.caughtUp) break;
  }
  const buildS = (performance.now() - b0) / 1000;

  const from = new Date(end.getTime() - DAYS * DAY + 60_000);
  const to = new Date(end.getTime() + 1000);
  /** dnsdeck's way: the cause rollup (kinds recorded as it was built), the edges and tail raw. */
  const deckWay = async () => {
    const c = await readCauseCounts(stores, { from, to, serverIds: null, serverNames: null, kindsOf });
    const kinds = new Map<string, number>();
    c.kinds.forEach((row, ki) => row.forEach((n, ci) => n && kinds.set(`${CLIENT_KINDS[ki]}|${CAUSES[ci]}`, n)));
    return { total: c.total, kinds };
  };
  /** The naive way: every failed row of the range grouped in dns_logs, classified, each (client, hour) named. */
  const naiveWay = async () => {
    const { rows: g } = await logs.query(
      `SELECT qname, client_ip, rcode, response_type, qtype, floor(date_part('epoch', timestamp) / 3600)::int AS hn, count(*)::int AS n FROM dns_logs
        WHERE timestamp >= $1 AND timestamp < $2 AND qname IS NOT NULL AND (rcode IN (2, 3) OR response_type IN (4, 5, 6)) GROUP BY 1, 2, 3, 4, 5, 6`,
      [from, to],
    );
    const total = CAUSES.map(() => 0);
    const pairs = new Map<string, number>();
    const items: { ip: string; at: Date }[] = [];
    const cause: number[] = [];
    for (const r of g) {
      const c = classify({ name: r.qname, rcode: r.rcode, responseType: r.response_type, qtype: r.qtype });
      cause.push(c ? CAUSES.indexOf(c.cause) : -1);
      if (c) total[CAUSES.indexOf(c.cause)] += r.n;
      const k = `${r.client_ip}|${r.hn}`;
      if (!pairs.has(k)) pairs.set(k, items.push({ ip: r.client_ip, at: new Date(r.hn * 3_600_000 + 1_800_000) }) - 1);
    }
    const named = await nameClientsOver(items, from, to);
    const kinds = new Map<string, number>();
    g.forEach((r, i) => {
      if (cause[i] < 0) return;
      const k = `${named[pairs.get(`${r.client_ip}|${r.hn}`)!].kind}|${CAUSES[cause[i]]}`;
      kinds.set(k, (kinds.get(k) ?? 0) + r.n);
    });
    return { total, kinds };
  };

  const a = await deckWay();
  const b = await naiveWay();
  const same = JSON.stringify(a.total) === JSON.stringify(b.total) && JSON.stringify([...a.kinds].sort()) === JSON.stringify([...b.kinds].sort());
  const time = async (fn: () => Promise<unknown>, runs: number) => {
    const xs: number[] = [];
    for (let i = 0; i < runs; i++) {
      const t = performance.now();
      await fn();
      xs.push(performance.now() - t);
    }
    return xs;
  };
  const deckT = await time(deckWay, RUNS);
  const naiveT = await time(naiveWay, Math.max(3, Math.ceil(RUNS / 5)));
  const sizes = (await deck.query(`SELECT relname, n_live_tup AS n, pg_total_relation_size(relid) AS b FROM pg_stat_user_tables WHERE relname LIKE 'querylog_cause%' ORDER BY 1`)).rows;
  const failed = a.total.reduce((x, y) => x + y, 0);
  console.log(`dns_logs: ${rows.toLocaleString("en")} rows over ${DAYS} days (${PER_DAY.toLocaleString("en")} a day), ${failed.toLocaleString("en")} failed answers, ${clients.length} clients; directory: ${intervals.length.toLocaleString("en")} intervals (${pods.length} pod addresses reused), ${lan.length} reverse names`);
  console.log(`first rollup build through the worker's function (causes included): ${buildS.toFixed(0)} s (${(rows / buildS / 1000).toFixed(1)}k rows/s)`);
  console.log(`cause tables: ${sizes.map((r) => `${r.relname} ${Number(r.n).toLocaleString("en")} rows ${(Number(r.b) / 2 ** 20).toFixed(1)} MB`).join(", ")}`);
  console.log(`cause shares by client kind, ${DAYS} d:`);
  console.log(`  dnsdeck (the cause rollup): p50 ${pct(deckT, 0.5).toFixed(1)} ms, p95 ${pct(deckT, 0.95).toFixed(1)} ms (${RUNS} runs)`);
  console.log(`  naive (group dns_logs, classify, name each client per hour): p50 ${pct(naiveT, 0.5).toFixed(0)} ms, p95 ${pct(naiveT, 0.95).toFixed(0)} ms (${naiveT.length} runs)`);
  console.log(`  ratio at p95: ${(pct(naiveT, 0.95) / pct(deckT, 0.95)).toFixed(0)}×; both count alike: ${same ? "yes" : "NO"}`);
  if (!same) {
    console.log(JSON.stringify({ deck: a.total, naive: b.total, deckKinds: [...a.kinds], naiveKinds: [...b.kinds] }));
    process.exitCode = 1;
  }
} finally {
  await logs.end();
  await deck.end();
  await db().$disconnect();
  if (process.argv.includes("--keep")) console.log(`kept: ${logsDb.url} ${deckDb.url}`);
  else await Promise.all([logsDb.drop(), deckDb.drop()]);
}
