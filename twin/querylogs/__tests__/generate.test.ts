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
  const split = await q(`SELECT client_ip, answer FROM dns_logs WHERE qname = 'immich.viktorbarzin.me' AND qtype = 1 AND rcode = 0`);
  assert.ok(split.length > 0);
  for (const s of split) assert.equal(s.answer, s.client_ip.startsWith("192.168.1.") ? "A 10.0.20.200" : "A 176.12.22.76");
  const pods = await q(`SELECT count(*)::int AS n, count(*) FILTER (WHERE client_ip LIKE '10.244.%')::int AS p FROM dns_logs WHERE qname LIKE '%.svc.cluster.local'`);
  assert.equal(pods[0].n, pods[0].p);
  const servfail = await q(`SELECT count(*)::int AS n FROM dns_logs WHERE rcode = 2 AND (response_type <> 2 OR answer IS NOT NULL)`);
  assert.equal(servfail[0].n, 0);
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
