import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import pg from "pg";
import { freshDatabase, type TestDatabase } from "@/server/testing/db";
import { appendLive, generateQueryLogs } from "../generate";

let db: TestDatabase;
let c: pg.Client;
const END = new Date(Date.UTC(2026, 10, 20, 0, 0, 0));

before(async () => {
  db = await freshDatabase({ prefix: "ql_gen", migrated: false });
  await generateQueryLogs({ databaseUrl: db.url, days: 2, perDay: 30_000, endAt: END, seed: 3 });
  c = new pg.Client({ connectionString: db.url });
  await c.connect();
});
after(async () => {
  await c?.end();
  await db?.drop();
});

test("rows cover the requested days, follow a diurnal curve, and dlid follows time across the three instances", async () => {
  const r = (await c.query(`SELECT count(*) AS n, min(timestamp) AS lo, max(timestamp) AS hi, count(DISTINCT server) AS servers FROM dns_logs`)).rows[0];
  assert.equal(Number(r.n), 60_000);
  assert.equal(Number(r.servers), 3);
  assert.ok(new Date(r.lo).getTime() >= END.getTime() - 2 * 86_400_000 - 5000 && new Date(r.hi).getTime() <= END.getTime());
  const hours = (await c.query(`SELECT extract(hour FROM timestamp AT TIME ZONE 'UTC')::int AS h, count(*)::int AS n FROM dns_logs GROUP BY 1`)).rows;
  const max = Math.max(...hours.map((h) => h.n));
  const min = Math.min(...hours.map((h) => h.n));
  assert.ok(max / min > 2.5, `peak/trough ${max}/${min}`);
  // dlid order ≈ time order: out-of-order pairs exist (interleaved instances) but only by seconds
  const inv = (await c.query(`SELECT count(*) FILTER (WHERE d < 0) AS back, min(d) AS worst FROM (SELECT extract(epoch FROM timestamp - lag(timestamp) OVER (ORDER BY dlid)) AS d FROM dns_logs) x`)).rows[0];
  assert.ok(Number(inv.back) > 0);
  assert.ok(Number(inv.worst) > -3, `worst step back ${inv.worst} s`);
  const seq = (await c.query(`SELECT last_value FROM dns_logs_dlid_seq`)).rows[0];
  assert.equal(Number(seq.last_value), 60_000);
});

test("answers are formatted as the app writes them", async () => {
  const q = async (sql: string) => (await c.query(sql)).rows;
  const cname = await q(`SELECT answer FROM dns_logs WHERE answer LIKE 'CNAME %' AND qtype = 1 LIMIT 1`);
  assert.match(cname[0].answer, /^CNAME [a-z0-9.-]+\., A \d+\.\d+\.\d+\.\d+$/);
  // Split Horizon as each instance's seed config answers a LAN client: the primary translates, the secondary's
  // rebinding protection strips the translated address, the tertiary's group has no translation
  const split = await q(`SELECT server, client_ip, answer FROM dns_logs WHERE qname = 'immich.viktorbarzin.me' AND qtype = 1 AND rcode = 0`);
  assert.ok(split.length > 0);
  const want: Record<string, string | null> = { technitium: "A 10.0.20.200", "technitium-secondary": null, "technitium-tertiary": "A 176.12.22.76" };
  for (const s of split) assert.equal(s.answer, want[s.server], `${s.server} to ${s.client_ip}`);
  assert.ok(split.every((s) => s.client_ip.startsWith("192.168.1.")), "public names reach Technitium only from LAN devices");
  const servfail = await q(`SELECT count(*)::int AS n FROM dns_logs WHERE rcode = 2 AND (response_type <> 2 OR answer IS NOT NULL)`);
  assert.equal(servfail[0].n, 0);
});

test("who reaches Technitium: LAN devices, CoreDNS pods and node IPs for viktorbarzin.lan, pfSense for the VLANs — never a pod", async () => {
  const q = async (sql: string) => (await c.query(sql)).rows;
  const coredns = ["10.244.0.2", "10.244.1.2", "10.244.2.2"];
  const nodes = ["10.0.20.100", "10.0.20.101", "10.0.20.102", "10.0.20.103", "10.0.20.104"];
  const byKind = await q(`SELECT CASE WHEN client_ip LIKE '192.168.1.%' THEN 'lan' WHEN client_ip IN ('${coredns.join("','")}') THEN 'coredns'
      WHEN client_ip IN ('${nodes.join("','")}') THEN 'node' WHEN client_ip IN ('10.0.20.1', '10.0.10.1') THEN 'pfsense'
      WHEN client_ip IN ('10.244.1.3', '10.244.2.3') THEN 'replica' ELSE client_ip END AS kind,
      bool_and(qname LIKE '%viktorbarzin.lan' OR qname LIKE '%.in-addr.arpa') AS internal_only, count(*)::int AS n
    FROM dns_logs GROUP BY 1`);
  const kinds = new Map(byKind.map((r) => [r.kind, r]));
  assert.deepEqual([...kinds.keys()].sort(), ["coredns", "lan", "node", "pfsense", "replica"], "no other client addresses");
  for (const k of ["coredns", "node", "pfsense", "replica"]) assert.equal(kinds.get(k).internal_only, true, `${k} asks internal names only`);
  const cluster = await q(`SELECT count(*)::int AS n FROM dns_logs WHERE qname LIKE '%.cluster.local'`);
  assert.equal(cluster[0].n, 0, "search-list expansions under cluster.local stop at CoreDNS");
  const junk = await q(`SELECT DISTINCT client_ip FROM dns_logs WHERE qname ~ '^[^.]+\\.[^.]+\\..*viktorbarzin\\.lan$' AND qname NOT LIKE '%.in-addr.arpa'`);
  assert.ok(junk.length > 0 && junk.every((r) => nodes.includes(r.client_ip)), "2+-label junk arrives only via NodeLocal's direct forward (node IPs)");
  const axfr = await q(`SELECT DISTINCT client_ip FROM dns_logs WHERE qtype = 252`);
  assert.ok(axfr.every((r) => ["10.244.1.3", "10.244.2.3"].includes(r.client_ip)));
});

test("the instances interleave in time as behind a load balancer", async () => {
  // every hour of the two days has rows from all three instances, in roughly the 50/30/20 weights
  const hours = (await c.query(`SELECT date_trunc('hour', timestamp) AS h, count(DISTINCT server)::int AS s FROM dns_logs GROUP BY 1`)).rows;
  assert.ok(hours.length >= 48);
  assert.ok(hours.filter((h) => h.s === 3).length >= 48, "no hour belongs to one instance");
  const share = (await c.query(`SELECT server, count(*)::float8 / 60000 AS f FROM dns_logs GROUP BY 1 ORDER BY 1`)).rows.map((r) => Math.round(r.f * 100));
  assert.ok(Math.abs(share[0] - 50) < 3 && Math.abs(share[1] - 30) < 3 && Math.abs(share[2] - 20) < 3, `shares ${share}`);
});

test("live mode appends rows timestamped now through the sequence", async () => {
  const before = Number((await c.query(`SELECT max(dlid) AS m FROM dns_logs`)).rows[0].m);
  const live = await appendLive({ databaseUrl: db.url, perSecond: 30 });
  await new Promise((r) => setTimeout(r, 2300));
  await live.stop();
  const rows = (await c.query(`SELECT dlid, timestamp, server FROM dns_logs WHERE dlid > $1 ORDER BY dlid`, [before])).rows;
  assert.ok(rows.length >= 30, `${rows.length} rows`);
  assert.ok(rows.every((r) => Math.abs(Date.now() - new Date(r.timestamp).getTime()) < 15_000));
  assert.equal(new Set(rows.map((r) => r.server)).size, 3);
});
