// Naming query-log rows by who asked (issue 12): what the client directory adds to a page of 50 rows and to a top-20
// list, against doing the same work the naive way (one directory lookup per row).
//
//   npm run bench:naming -- [--days 90] [--pods 1200] [--runs 200]
//
// On a fresh database of the real PostgreSQL (TEST_DATABASE_ADMIN_URL, default the local one) it writes a 90-day
// address history as the Kubernetes watch would (pod addresses reused by different pods over time: each of `pods`
// addresses in 10.244.0.0/16 gets a new pod every ~2 days; nodes, CoreDNS pods, LAN devices with reverse names), then
// times `nameRows` for pages of 50 rows at random times within the history (a row from 60 days ago is named by what
// its address was then), and the naive per-row lookup, and checks both name every row the same. Prints the figures.
import { performance } from "node:perf_hooks";
import { freshDatabase } from "@/server/testing/db";

const arg = (name: string, def: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : def;
};
const DAYS = Number(arg("days", "90"));
const PODS = Number(arg("pods", "1200"));
const RUNS = Number(arg("runs", "200"));
const DAY = 86_400_000;

// a small deterministic generator: the same history every run
let seed = 42;
const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);

const dbh = await freshDatabase({ prefix: "dnsdeck_bench_naming" });
process.env.DATABASE_URL = dbh.url;
// env() validates the whole environment; this script serves nobody and reaches no Technitium
Object.assign(process.env, { AUTH_MODE: "demo", TECHNITIUM_INSTANCES: "primary=http://127.0.0.1:9", TECHNITIUM_TOKEN_PRIMARY: "unused" });
const { db } = await import("@/server/db/client");
const { nameRows } = await import("@/server/clients/directory");

const end = Date.now();
const start = end - DAYS * DAY;
type Row = { ip: string; kind: string; name: string; namespace: string | null; node: string | null; validFrom: Date; validTo: Date | null };
const intervals: Row[] = [];
const nodes = ["k8s-master", "k8s-node1", "k8s-node2", "k8s-node3", "k8s-node4"];
nodes.forEach((n, i) => intervals.push({ ip: `10.0.20.${100 + i}`, kind: "nodelocal-node", name: n, namespace: null, node: n, validFrom: new Date(start), validTo: null }));
for (let p = 0; p < PODS; p++) {
  const node = p % nodes.length;
  const ip = `10.244.${node}.${2 + Math.floor(p / nodes.length)}`;
  let t = start;
  let k = 0;
  while (t < end) {
    const life = (0.5 + rnd() * 3) * DAY;
    const to = t + life;
    const coredns = p < 3;
    intervals.push({ ip, kind: coredns ? "coredns-pod" : "pod", name: coredns ? `coredns-7db6d8ff4d-${p}${k}` : `app-${p}-${k}`, namespace: coredns ? "kube-system" : "apps", node: nodes[node], validFrom: new Date(t), validTo: to >= end ? null : new Date(to) });
    t = to + rnd() * 3_600_000; // the address stays free for up to an hour
    k++;
  }
}
const t0 = performance.now();
for (let i = 0; i < intervals.length; i += 5000) await db().clientAddress.createMany({ data: intervals.slice(i, i + 5000) });
const lan = Array.from({ length: 200 }, (_, i) => ({ ip: `192.168.1.${10 + i}`, name: `device-${i}.viktorbarzin.lan`, lookedUpAt: new Date(end), expiresAt: new Date(end + DAY) }));
await db().clientName.createMany({ data: lan });
// as the directory's refresh does (dnsdeck analyzes its own tables: autovacuum may be off)
await db().$executeRawUnsafe(`ANALYZE client_addresses, client_names`);
console.log(`directory: ${intervals.length.toLocaleString("en")} address intervals over ${DAYS} days (${PODS} pod addresses reused), ${lan.length} reverse names; written in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

/** A page of 50 query-log rows: mostly pod and node addresses, some LAN, at times anywhere in the history. */
function page(): { ip: string; at: Date }[] {
  return Array.from({ length: 50 }, () => {
    const r = rnd();
    const ip = r < 0.7 ? `10.244.${Math.floor(rnd() * nodes.length)}.${2 + Math.floor(rnd() * (PODS / nodes.length))}` : r < 0.85 ? `10.0.20.${100 + Math.floor(rnd() * nodes.length)}` : `192.168.1.${10 + Math.floor(rnd() * 200)}`;
    return { ip, at: new Date(start + rnd() * (end - start)) };
  });
}

/** The naive way: one query per row for the interval covering its time (what a join per row would do). */
async function naive(rows: { ip: string; at: Date }[]): Promise<(string | null)[]> {
  const out: (string | null)[] = [];
  for (const r of rows) {
    const hit = await db().clientAddress.findFirst({ where: { ip: r.ip, validFrom: { lte: r.at }, OR: [{ validTo: null }, { validTo: { gt: r.at } }] }, orderBy: { validFrom: "desc" } });
    const rev = hit ? null : await db().clientName.findUnique({ where: { ip: r.ip } });
    out.push(hit?.name ?? rev?.name ?? null);
  }
  return out;
}

const q = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
const batch: number[] = [];
const perRow: number[] = [];
const top: number[] = [];
let mismatches = 0;
// warm-up: a running server has its connections open and its code compiled (the first calls pay for both)
for (let i = 0; i < 20; i++) {
  await nameRows(page(), (r) => r);
  await naive(page());
}
// each way timed in its own loop over the same pages (interleaved, each would pay for the other's garbage)
const pages = Array.from({ length: RUNS }, () => page());
const at = new Date(end - 1);
const named: Awaited<ReturnType<typeof nameRows<{ ip: string; at: Date }>>>[] = [];
for (const rows of pages) {
  const s = performance.now();
  named.push(await nameRows(rows, (r) => r));
  batch.push(performance.now() - s);
}
for (const rows of pages) {
  // a top-20 client list named at the range's end
  const entries = rows.slice(0, 20).map((r) => ({ ip: r.ip, at }));
  const s = performance.now();
  await nameRows(entries, (r) => r);
  top.push(performance.now() - s);
}
for (const [i, rows] of pages.entries()) {
  const s = performance.now();
  const want = await naive(rows);
  perRow.push(performance.now() - s);
  named[i].forEach((n, j) => {
    if ((n.client?.name ?? null) !== want[j]) mismatches++;
  });
}
const line = (what: string, xs: number[]) => `${what}: p50 ${q(xs, 0.5).toFixed(2)} ms, p95 ${q(xs, 0.95).toFixed(2)} ms`;
console.log(line("dnsdeck, a page of 50 rows named (one batched lookup)", batch));
console.log(line("naive, the same 50 rows (one lookup per row)", perRow));
console.log(line("dnsdeck, a top-20 client list named at the range's end", top));
console.log(`p95 ratio naive ÷ dnsdeck: ${(q(perRow, 0.95) / q(batch, 0.95)).toFixed(1)}× · budget: naming a page adds ≤ 5 ms → ${q(batch, 0.95) <= 5 ? "within" : "OVER"} · rows named differently by the two: ${mismatches} of ${RUNS * 50}`);
await db().$disconnect();
await dbh.drop();
if (mismatches) process.exit(1);
