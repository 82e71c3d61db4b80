import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import pg from "pg";
import { freshDatabase, type TestDatabase } from "@/server/testing/db";
import { DNS_LOGS_INDEXES, generateQueryLogs } from "@/twin/querylogs/generate";
import type { Stores } from "../db-types";
import { countRows, queryNewer, queryPage } from "../query";
import { readState, rollupCatchUp, rollupStep } from "../rollup";
import { listSchema, statsSchema } from "../schemas";
import { queryStats } from "../stats";

let logsDb: TestDatabase;
let deckDb: TestDatabase;
let logs: pg.Pool;
let deck: pg.Pool;
let stores: Stores & { deckConnect: () => Promise<pg.PoolClient> };
const END = new Date(Date.UTC(2026, 10, 20, 12, 0, 0));
const DAYS = 3;

before(async () => {
  [logsDb, deckDb] = await Promise.all([freshDatabase({ prefix: "ql_logs", migrated: false }), freshDatabase({ prefix: "ql_deck" })]);
  await generateQueryLogs({ databaseUrl: logsDb.url, days: DAYS, perDay: 8000, endAt: END, seed: 7, parallel: 1 });
  logs = new pg.Pool({ connectionString: logsDb.url, max: 4 });
  deck = new pg.Pool({ connectionString: deckDb.url, max: 4 });
  logs.on("error", () => {});
  deck.on("error", () => {});
  stores = { logs, deck, deckConnect: () => deck.connect() };
  await rollupCatchUp(stores, { batch: 5000, maxSteps: 100, now: new Date(END.getTime() + 3600_000) });
});

after(async () => {
  await logs?.end();
  await deck?.end();
  await Promise.all([logsDb?.drop(), deckDb?.drop()]);
});

/** Parse query-string input exactly as the API does; fails the test on a validation error. */
function parse(params: Record<string, string>) {
  const r = listSchema.safeParse({ from: new Date(END.getTime() - DAYS * 86_400_000 - 60_000).toISOString(), to: new Date(END.getTime() + 60_000).toISOString(), ...params });
  if (!r.success) throw new Error(JSON.stringify(r.error.issues));
  return r.data;
}

async function walkAll(params: Record<string, string>, limit = 200): Promise<string[]> {
  const input = parse(params);
  const ids: string[] = [];
  let cursor: number | null = null;
  for (let i = 0; i < 1000; i++) {
    const page = await queryPage(stores, input.filter, { cursor, limit });
    ids.push(...page.rows.map((r) => r.id));
    if (!page.nextCursor) break;
    cursor = Number(page.nextCursor);
  }
  return ids;
}

async function sqlIds(where: string, values: unknown[] = []): Promise<string[]> {
  const { rows } = await logs.query(`SELECT dlid FROM dns_logs WHERE ${where} ORDER BY dlid DESC`, values);
  return rows.map((r) => String(r.dlid));
}

test("the generator creates Technitium's exact table, 14 named indexes and the primary key, with realistic encodings", async () => {
  const cols = await logs.query(`SELECT column_name, data_type, is_nullable, character_maximum_length FROM information_schema.columns WHERE table_name = 'dns_logs' ORDER BY ordinal_position`);
  assert.deepEqual(
    cols.rows.map((c) => `${c.column_name}:${c.data_type}:${c.is_nullable}:${c.character_maximum_length ?? ""}`),
    [
      "dlid:integer:NO:", "server:character varying:YES:255", "timestamp:timestamp with time zone:NO:", "client_ip:character varying:NO:39",
      "protocol:smallint:NO:", "response_type:smallint:NO:", "response_rtt:real:YES:", "rcode:smallint:NO:", "qname:character varying:YES:255",
      "qtype:integer:YES:", "qclass:smallint:YES:", "answer:character varying:YES:4000",
    ],
  );
  const idx = await logs.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'dns_logs'`);
  assert.deepEqual(idx.rows.map((r) => r.indexname).sort(), ["dns_logs_pkey", ...DNS_LOGS_INDEXES.map(([n]) => n)].sort());
  const facts = (await logs.query(`SELECT
      count(*) FILTER (WHERE response_rtt IS NOT NULL AND response_type <> 2) AS rtt_not_recursive,
      count(*) FILTER (WHERE qname <> lower(qname) OR qname LIKE '%.') AS bad_names,
      count(*) FILTER (WHERE qname IS NULL) AS null_q,
      count(*) FILTER (WHERE qname LIKE '%.emrsn.org' AND rcode = 3) AS emrsn,
      count(*) FILTER (WHERE response_type = 4) AS blocked,
      count(*) FILTER (WHERE client_ip LIKE '10.244.%') AS pods,
      count(DISTINCT server) AS servers
    FROM dns_logs`)).rows[0];
  assert.equal(Number(facts.rtt_not_recursive), 0);
  assert.equal(Number(facts.bad_names), 0);
  assert.ok(Number(facts.emrsn) > 500 && Number(facts.blocked) > 500 && Number(facts.pods) > 500);
  assert.equal(Number(facts.servers), 3);
});

test("rollups count every row exactly once, incrementally, and stay put when nothing is new", async () => {
  const total = Number((await logs.query(`SELECT count(*) AS n FROM dns_logs`)).rows[0].n);
  const sum = async () => Number((await deck.query(`SELECT coalesce(sum(count), 0) AS n FROM querylog_hourly`)).rows[0].n);
  assert.equal(await sum(), total);
  assert.equal(Number((await deck.query(`SELECT sum(count) AS n FROM querylog_daily`)).rows[0].n), total);
  const again = await rollupStep(stores, { now: new Date(END.getTime() + 3600_000) });
  assert.equal(again.rows, 0);
  assert.equal(await sum(), total);
});

test("pages match hand-written SQL for each kind of filter, and keyset paging returns every row once", async () => {
  const cases: [Record<string, string>, string, unknown[]][] = [
    [{ client: "10.0.20.1" }, "client_ip = $1", ["10.0.20.1"]],
    [{ client: "192.168.1.0/24" }, "client_ip::inet <<= $1::inet", ["192.168.1.0/24"]],
    [{ client: "!10.244.0.0/16", rcode: "NxDomain" }, "NOT (client_ip::inet <<= $1::inet) AND rcode = 3", ["10.244.0.0/16"]],
    [{ qname: "www.google.com" }, "qname = $1", ["www.google.com"]],
    [{ qname: "*.viktorbarzin.lan", qtype: "A" }, "qname LIKE $1 AND qtype = 1", ["%.viktorbarzin.lan"]],
    [{ qname: "~github" }, "qname LIKE $1", ["%github%"]],
    [{ qname: "!~google", responseType: "Blocked,UpstreamBlocked" }, "(qname IS NULL OR qname NOT LIKE $1) AND response_type IN (4, 5)", ["%google%"]],
    [{ responseType: "Recursive", protocol: "Tcp", server: "technitium-secondary" }, "response_type = 2 AND protocol = 1 AND server = $1", ["technitium-secondary"]],
    [{ rcode: "ServerFailure" }, "rcode = 2", []],
  ];
  for (const [params, where, values] of cases) {
    const got = await walkAll(params);
    const want = await sqlIds(where, values);
    assert.ok(want.length > 0, `case ${JSON.stringify(params)} has rows`);
    assert.deepEqual(got, want, `filter ${JSON.stringify(params)}`);
  }
});

test("a time window is honoured exactly (rows newest first, no row outside, none missing)", async () => {
  const from = new Date(END.getTime() - 30 * 3600_000 + 17 * 60_000);
  const to = new Date(END.getTime() - 20 * 3600_000 + 5 * 60_000);
  const got = await walkAll({ from: from.toISOString(), to: to.toISOString(), responseType: "Cached" }, 500);
  const want = await sqlIds(`timestamp >= $1 AND timestamp < $2 AND response_type = 3`, [from, to]);
  assert.deepEqual(got, want);
  const input = parse({ from: from.toISOString(), to: to.toISOString(), responseType: "Cached" });
  const count = await countRows(stores, input.filter);
  assert.equal(count.kind, "rollup");
  assert.equal(count.value, want.length);
  const est = await countRows(stores, parse({ client: "10.0.20.1" }).filter);
  assert.equal(est.kind, "estimate");
  const exact = await countRows(stores, parse({ client: "10.0.20.1" }).filter, { exact: true });
  assert.equal(exact.kind, "exact");
  assert.equal(exact.value, (await sqlIds(`client_ip = '10.0.20.1'`)).length);
});

test("rows come back decoded: enum names, markers, NULL question, RTT only for Recursive", async () => {
  const zt = await queryPage(stores, parse({ qname: "viktorbarzin.lan", qtype: "AXFR" }).filter, { limit: 5 });
  assert.ok(zt.rows.length > 0);
  assert.equal(zt.rows[0].answer, "[ZONE TRANSFER]");
  assert.equal(zt.rows[0].protocol, "Tcp");
  assert.equal(zt.rows[0].qtype, "AXFR");
  assert.equal(zt.rows[0].qclass, "IN");
  const nullq = await queryPage(stores, parse({ rcode: "FormatError" }).filter, { limit: 5 });
  assert.ok(nullq.rows.length > 0);
  assert.equal(nullq.rows[0].qname, null);
  assert.equal(nullq.rows[0].qtype, null);
  const rec = await queryPage(stores, parse({ responseType: "Recursive", rcode: "NoError" }).filter, { limit: 20 });
  assert.ok(rec.rows.every((r) => r.responseType === "Recursive" && typeof r.rtt === "number"));
  const cached = await queryPage(stores, parse({ responseType: "Cached" }).filter, { limit: 20 });
  assert.ok(cached.rows.every((r) => r.rtt === null && r.protocol.match(/^(Udp|Tcp|Tls|Https)$/)));
  const blocked = await queryPage(stores, parse({ responseType: "Blocked", qtype: "A" }).filter, { limit: 5 });
  assert.equal(blocked.rows[0].answer, "A 0.0.0.0");
});

test("bad parameters are refused naming the parameter", () => {
  const bad: [Record<string, string>, string][] = [
    [{ client: "192.168.1.0/33" }, "client"],
    [{ client: "10.0.0.300" }, "client"],
    [{ from: "yesterday" }, "from"],
    [{ to: "2026-13-45T99:00:00Z" }, "to"],
    [{ rcode: "NoSuchThing" }, "rcode"],
    [{ responseType: "CacheBlocked" }, "responseType"],
    [{ qtype: "A,BOGUS" }, "qtype"],
    [{ qname: "~" }, "qname"],
    [{ qname: "a b" }, "qname"],
    [{ limit: "5000" }, "limit"],
    [{ cursor: "abc" }, "cursor"],
  ];
  for (const [params, name] of bad) {
    const r = listSchema.safeParse(params);
    assert.equal(r.success, false, JSON.stringify(params));
    assert.ok(r.error!.issues.some((i) => i.path[0] === name), `${JSON.stringify(params)} names ${name}: ${JSON.stringify(r.error!.issues)}`);
  }
  assert.equal(statsSchema.safeParse({ bucket: "7m" }).success, false);
});

test("injection payloads are refused or matched literally, and the table survives", async () => {
  const payloads = ["x'; DROP TABLE dns_logs; --", "1' OR '1'='1", "technitium') OR 1=1 --", "\\'; SELECT pg_sleep(5); --", "%", "A; DELETE FROM dns_logs"];
  for (const p of payloads) {
    for (const field of ["client", "qname", "qtype", "rcode", "responseType", "protocol", "server", "from", "cursor"]) {
      const r = listSchema.safeParse({ [field]: p });
      if (r.success) {
        const page = await queryPage(stores, r.data.filter, { limit: 5 });
        assert.equal(page.rows.length, 0, `${field}=${p} matched nothing literally`);
      }
    }
  }
  // LIKE metacharacters are literal: "_" must not match any single character.
  const underscore = await walkAll({ qname: "~_" });
  const want = await sqlIds(`strpos(qname, '_') > 0`);
  assert.deepEqual(underscore, want);
  assert.ok(Number((await logs.query(`SELECT count(*) AS n FROM dns_logs`)).rows[0].n) > 0);
});

test("charts and top lists come from rollups and agree with the raw rows", async () => {
  const s = statsSchema.parse({ from: new Date(END.getTime() - 2 * 86_400_000).toISOString(), to: END.toISOString(), bucket: "1h" });
  const st = await queryStats(stores, s.filter, { bucket: s.bucket });
  assert.equal(st.source, "rollup");
  const total = st.series.reduce((a, p) => a + p.total, 0);
  const want = Number((await logs.query(`SELECT count(*) AS n FROM dns_logs WHERE timestamp >= $1 AND timestamp < $2`, [s.filter.from, s.filter.to])).rows[0].n);
  assert.equal(total, want);
  const nx = st.series.reduce((a, p) => a + p.nxDomain, 0);
  assert.equal(nx, Number((await logs.query(`SELECT count(*) AS n FROM dns_logs WHERE rcode = 3 AND timestamp >= $1 AND timestamp < $2`, [s.filter.from, s.filter.to])).rows[0].n));
  assert.deepEqual(st.servers, ["technitium", "technitium-secondary", "technitium-tertiary"]);
  const topClient = (await logs.query(`SELECT client_ip FROM dns_logs WHERE timestamp >= $1 AND timestamp < $2 GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`, [s.filter.from, s.filter.to])).rows[0].client_ip;
  assert.ok(st.top.names.length === 20 && st.top.blocked.length > 0 && st.top.clients[0].key === topClient);
  assert.ok(st.rtt.length > 0 && st.rtt.every((p) => p.p50 === null || (p.p50 > 0 && p.p50 <= (p.p99 ?? Infinity))));
  const raw = await queryStats(stores, statsSchema.parse({ from: s.filter.from.toISOString(), to: s.filter.to.toISOString(), client: "10.0.20.1" }).filter, { bucket: "1h" });
  assert.equal(raw.source, "raw");
  assert.equal(raw.series.reduce((a, p) => a + p.total, 0), Number((await logs.query(`SELECT count(*) AS n FROM dns_logs WHERE client_ip = '10.0.20.1' AND timestamp >= $1 AND timestamp < $2`, [s.filter.from, s.filter.to])).rows[0].n));
});

test("rows newer than the watermark are found (tail), keyset pages stay stable while rows arrive, then roll up once", async () => {
  const input = parse({ qname: "~brand-new-name" });
  const first = await queryPage(stores, input.filter, { limit: 2 });
  assert.equal(first.rows.length, 0);
  const before = await readState(deck);
  const at = new Date(END.getTime() + 30_000).toISOString();
  for (let i = 0; i < 5; i++)
    await logs.query(
      `INSERT INTO dns_logs (server, timestamp, client_ip, protocol, response_type, response_rtt, rcode, qname, qtype, qclass, answer)
       VALUES ('technitium', $1, '192.168.1.77', 0, 2, 12.5, 0, $2, 1, 1, 'A 1.2.3.4')`,
      [at, `x${i}.brand-new-name.example`],
    );
  // not rolled up yet: the dictionary does not know the name, the tail query finds it anyway
  const p1 = await queryPage(stores, parse({ qname: "~brand-new-name", to: new Date(END.getTime() + 120_000).toISOString() }).filter, { limit: 2 });
  assert.deepEqual(p1.rows.map((r) => r.qname), ["x4.brand-new-name.example", "x3.brand-new-name.example"]);
  // a row arriving between pages does not shift the next page
  await logs.query(
    `INSERT INTO dns_logs (server, timestamp, client_ip, protocol, response_type, rcode, qname, qtype, qclass) VALUES ('technitium', $1, '192.168.1.77', 0, 3, 0, 'x9.brand-new-name.example', 1, 1)`,
    [at],
  );
  const p2 = await queryPage(stores, parse({ qname: "~brand-new-name", to: new Date(END.getTime() + 120_000).toISOString() }).filter, { cursor: Number(p1.nextCursor), limit: 2 });
  assert.deepEqual(p2.rows.map((r) => r.qname), ["x2.brand-new-name.example", "x1.brand-new-name.example"]);
  // live tail: rows after a known id, oldest first
  const newer = await queryNewer(stores, parse({ qname: "~brand-new-name" }).filter, Number(p1.rows[0].id));
  assert.deepEqual(newer.map((r) => r.qname), ["x9.brand-new-name.example"]);
  // rolling up moves the watermark past them exactly once; the dictionary now resolves the substring
  const r = await rollupCatchUp(stores, { now: new Date(END.getTime() + 3600_000) });
  assert.equal(r.rows, 6);
  assert.ok((await readState(deck)).watermark > before.watermark);
  const dict = await deck.query(`SELECT name FROM querylog_names WHERE name LIKE '%brand-new-name%' ORDER BY 1`);
  assert.equal(dict.rows.length, 6);
  const p3 = await queryPage(stores, parse({ qname: "~brand-new-name", to: new Date(END.getTime() + 120_000).toISOString() }).filter, { limit: 10 });
  assert.equal(p3.rows.length, 6);
  const c = await countRows(stores, parse({ client: "192.168.1.77" }).filter, { exact: true });
  assert.equal(c.value, 6);
});

test("retention deletes under the rollups: rows clipped and said so, rollups neither shrink nor double-count", async () => {
  const hourlyBefore = Number((await deck.query(`SELECT sum(count) AS n FROM querylog_hourly`)).rows[0].n);
  // Technitium's retention: delete the lowest dlids (about the first day)
  await logs.query(`DELETE FROM dns_logs WHERE dlid IN (SELECT dlid FROM dns_logs ORDER BY dlid LIMIT 8000)`);
  const step = await rollupStep(stores, { now: new Date(END.getTime() + 3600_000) });
  assert.equal(step.rows, 0);
  assert.equal(Number((await deck.query(`SELECT sum(count) AS n FROM querylog_hourly`)).rows[0].n), hourlyBefore, "history kept, nothing re-counted");
  const input = parse({ from: new Date(END.getTime() - 10 * 86_400_000).toISOString() });
  const page = await queryPage(stores, input.filter, { limit: 5 });
  assert.match(page.clipped ?? "", /retention/);
  const count = await countRows(stores, input.filter);
  const exact = Number((await logs.query(`SELECT count(*) AS n FROM dns_logs WHERE timestamp < $1`, [input.filter.to])).rows[0].n);
  assert.equal(count.kind, "rollup");
  assert.ok(Math.abs(count.value - exact) <= 5, `rollup count ${count.value} vs rows ${exact}`);
});

test("an unreachable query-log database gives a clear 'unavailable' error and leaves the watermark alone", async () => {
  const { mapDbError } = await import("../db");
  const dead = new pg.Pool({ connectionString: "postgresql://postgres:postgres@127.0.0.1:1/none", connectionTimeoutMillis: 500 });
  dead.on("error", () => {});
  try {
    const before = await readState(deck);
    const broken = { logs: dead, deck, deckConnect: () => deck.connect() };
    await assert.rejects(() => rollupStep(broken), (err: unknown) => {
      const e = mapDbError(err) as { code?: string; message: string };
      assert.equal(e.code, "unavailable");
      assert.match(e.message, /unreachable.*QUERYLOG_DATABASE_URL/);
      return true;
    });
    await assert.rejects(() => queryPage(broken, parse({}).filter), (err: unknown) => (mapDbError(err) as { code?: string }).code === "unavailable");
    assert.equal((await readState(deck)).watermark, before.watermark);
  } finally {
    await dead.end();
  }
});

test("the access-path hint changes only the plan, never the rows (dense, rare, no hint)", async () => {
  const { resolve, pageSql } = await import("../query");
  const cases: Record<string, string>[] = [{ client: "10.0.20.1" }, { qname: "~google", rcode: "NoError" }, { client: "192.168.1.0/24", qname: "*.viktorbarzin.lan" }];
  for (const params of cases) {
    const r = await resolve(stores, parse(params).filter);
    const runs: string[][] = [];
    for (const dense of [true, false, null]) {
      const { sql, values } = pageSql({ ...r, dense }, null, 100);
      runs.push((await logs.query(sql, values)).rows.map((x) => String(x.dlid)));
    }
    assert.ok(runs[0].length > 0);
    assert.deepEqual(runs[1], runs[0], JSON.stringify(params));
    assert.deepEqual(runs[2], runs[0], JSON.stringify(params));
  }
});

test("a filter survives the round trip to URL parameters (links, export audit rows)", async () => {
  const { filterToParams } = await import("../filters");
  const f = parse({ server: "!technitium", client: "10.244.0.0/16", qname: "~github", qtype: "A,HTTPS", rcode: "!NxDomain", responseType: "Recursive", protocol: "Udp,Tcp" }).filter;
  const again = listSchema.parse(filterToParams(f)).filter;
  assert.deepEqual(again, f);
  assert.equal(filterToParams(f).rcode, "!NxDomain");
});
