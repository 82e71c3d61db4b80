import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import pg from "pg";
import { freshDatabase, type TestDatabase } from "@/server/testing/db";

/** The graph's query-log numbers and the ndots evidence, on a real PostgreSQL dns_logs table. */
let db: TestDatabase;
let stats: typeof import("../querylog-stats");
const NOW = new Date();
const DAY_START = Date.UTC(NOW.getUTCFullYear(), NOW.getUTCMonth(), NOW.getUTCDate());
/** Two minutes ago, but never before today's UTC midnight (so the test holds just after midnight). */
const RECENT = new Date(Math.max(DAY_START, NOW.getTime() - 120_000));

before(async () => {
  db = await freshDatabase({ prefix: "dnsdeck_arch_ql", migrated: false });
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  await c.query(`create table dns_logs (dlid serial primary key, server varchar(255), timestamp timestamptz not null, client_ip varchar(39) not null,
    protocol smallint not null, response_type smallint not null, response_rtt real, rcode smallint not null, qname varchar(255), qtype integer, qclass smallint, answer varchar(4000))`);
  const rows: [string, number][] = [
    ["idrac.viktorbarzin.lan", 0],
    ["www.cloudflare.com.viktorbarzin.lan", 3],
    ["api.github.com.viktorbarzin.lan", 3],
    ["grafana.monitoring.svc.cluster.local", 3],
    ["github.com", 0],
  ];
  for (const [q, rcode] of rows)
    await c.query(`insert into dns_logs (server, timestamp, client_ip, protocol, response_type, rcode, qname, qtype, qclass) values ('technitium', $1, '10.244.1.9', 0, 1, $2, $3, 1, 1)`, [RECENT, rcode, q]);
  // yesterday's junk does not count for today
  await c.query(`insert into dns_logs (server, timestamp, client_ip, protocol, response_type, rcode, qname, qtype, qclass) values ('technitium', now() - interval '2 days', '10.244.1.9', 0, 1, 3, 'old.junk.viktorbarzin.lan', 1, 1)`);
  await c.query("analyze dns_logs");
  await c.end();
  Object.assign(process.env, { AUTH_MODE: "demo", DATABASE_URL: db.url, QUERYLOG_DATABASE_URL: db.url, TECHNITIUM_INSTANCES: "primary=http://127.0.0.1:9", TECHNITIUM_TOKEN_PRIMARY: "x" });
  (await import("@/server/env")).resetEnvForTests();
  stats = await import("../querylog-stats");
});
after(async () => {
  await stats?.closeQueryLogPool();
  await db?.drop();
});

test("rows come from the planner's estimate and the ingest lag from the newest row", async () => {
  const s = await stats.queryLogState(NOW);
  assert.ok(s.ok, JSON.stringify(s));
  assert.equal(s.value.rows, 6);
  assert.ok(Math.abs(s.value.lagSeconds! - (NOW.getTime() - RECENT.getTime()) / 1000) < 2, String(s.value.lagSeconds));
});

test("today's junk: names with 2+ labels before the internal zone, and cluster-domain names", async () => {
  const e = await stats.junkEvidence("viktorbarzin.lan", "cluster.local", NOW);
  assert.ok(e.ok, JSON.stringify(e));
  assert.equal(e.value.multiLabelInternal, 2);
  assert.equal(e.value.clusterDomain, 1);
  assert.deepEqual([...e.value.examples].sort(), ["api.github.com.viktorbarzin.lan", "www.cloudflare.com.viktorbarzin.lan"]);
});

test("today's junk is read once a minute: within it the kept count; past it the kept count at once and a new one behind it", async () => {
  const at = (ms: number) => new Date(NOW.getTime() + ms);
  const first = await stats.junkEvidence("viktorbarzin.lan", "cluster.local", at(0));
  assert.ok(first.ok);
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  await c.query(`insert into dns_logs (server, timestamp, client_ip, protocol, response_type, rcode, qname, qtype, qclass) values ('technitium', $1, '10.244.1.9', 0, 1, 3, 'new.junk.viktorbarzin.lan', 1, 1)`, [RECENT]);
  await c.end();
  try {
    const soon = await stats.junkEvidence("viktorbarzin.lan", "cluster.local", at(30_000));
    assert.ok(soon.ok && soon.value.multiLabelInternal === first.value.multiLabelInternal, "within the minute: the kept count");
    const later = await stats.junkEvidence("viktorbarzin.lan", "cluster.local", at(90_000));
    assert.ok(later.ok && later.value.multiLabelInternal === first.value.multiLabelInternal, "past it: the kept count at once");
    // the read started behind it has landed by now: the new row is counted
    await assert.doesNotReject(async () => {
      for (let i = 0; i < 50; i++) {
        const v = await stats.junkEvidence("viktorbarzin.lan", "cluster.local", at(91_000));
        if (v.ok && v.value.multiLabelInternal === first.value.multiLabelInternal + 1) return;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error("the new junk row was never counted");
    });
  } finally {
    const d = new pg.Client({ connectionString: db.url });
    await d.connect();
    await d.query(`delete from dns_logs where qname = 'new.junk.viktorbarzin.lan'`);
    await d.end();
  }
});

test("the numbers are read through the query-log explorer's one pool, whose sessions cannot write", async () => {
  const { logsPool } = await import("@/server/querylogs/db");
  await stats.queryLogState(NOW);
  const pool = logsPool()!;
  assert.ok(pool.totalCount >= 1, "the shared pool served the reads");
  await assert.rejects(() => pool.query("delete from dns_logs"), (err: { code?: string }) => err.code === "25006");
  const { rows } = await pool.query("select count(*)::int as n from dns_logs");
  assert.equal(rows[0].n, 6);
});
