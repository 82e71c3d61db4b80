import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { DNS_LOGS_INDEXES } from "@/twin/querylogs/generate";
import { Acc } from "../acc";
import { plan } from "../plan";
import { countRows, queryNewer, queryPage } from "../query";
import { sampleEstimate } from "../sample";
import { listSchema, statsSchema } from "../schemas";
import { type Case, END, type Fixture, fixture, parse, truthWhere } from "./fixture";

// Pages and counts against hand-written SQL over the same dns_logs, for every kind of filter the page offers, alone
// and combined, negated, and intersections that are empty.
let fx: Fixture;
let rareClient: { ip: string; server: string; other: string };

before(async () => {
  fx = await fixture();
  // a client that never used one of the instances (the twin interleaves instances per row, so the busiest clients
  // use all three; a quieter one misses one): asking for it on that instance is an empty intersection
  const servers = (await fx.logs.query(`SELECT DISTINCT server FROM dns_logs ORDER BY 1`)).rows.map((x) => x.server as string);
  const r = await fx.logs.query(
    `SELECT client_ip, array_agg(DISTINCT server) AS used FROM dns_logs GROUP BY client_ip HAVING count(DISTINCT server) < $1 ORDER BY count(*) DESC LIMIT 1`,
    [servers.length],
  );
  assert.ok(r.rows.length, "the fixture has a client that never used one of the instances");
  const used = r.rows[0].used as string[];
  rareClient = { ip: r.rows[0].client_ip, server: used[0], other: servers.find((s) => !used.includes(s))! };
});
after(() => fx?.close());

async function walkAll(params: Record<string, string>, limit = 700): Promise<string[]> {
  const input = parse(params);
  const ids: string[] = [];
  let cursor: number | null = null;
  for (let i = 0; i < 1000; i++) {
    const page = await queryPage(fx.stores, input.filter, { cursor, limit });
    ids.push(...page.rows.map((r) => r.id));
    if (!page.nextCursor) break;
    cursor = Number(page.nextCursor);
  }
  return ids;
}

async function truth(params: Record<string, string>, where: string, values: unknown[]): Promise<string[]> {
  const w = truthWhere(params, where, values);
  const { rows } = await fx.logs.query(`SELECT dlid FROM dns_logs WHERE ${w.sql} ORDER BY timestamp DESC, dlid DESC`, w.values);
  return rows.map((r) => String(r.dlid));
}

const CASES = (): Case[] => [
  [{}, "true", []],
  [{ client: "10.0.20.1" }, "client_ip = $1", ["10.0.20.1"]],
  [{ client: "192.168.1.0/24" }, "client_ip::inet <<= $1::inet", ["192.168.1.0/24"]],
  [{ client: "!10.244.0.0/16", rcode: "NxDomain" }, "NOT (client_ip::inet <<= $1::inet) AND rcode = 3", ["10.244.0.0/16"]],
  [{ client: "!10.0.20.1" }, "client_ip <> $1", ["10.0.20.1"]],
  [{ qname: "www.google.com" }, "qname = $1", ["www.google.com"]],
  [{ qname: "*.viktorbarzin.lan", qtype: "A" }, "qname LIKE $1 AND qtype = 1", ["%.viktorbarzin.lan"]],
  [{ qname: "~github" }, "qname LIKE $1", ["%github%"]],
  [{ qname: "!~google", responseType: "Blocked,UpstreamBlocked" }, "(qname IS NULL OR qname NOT LIKE $1) AND response_type IN (4, 5)", ["%google%"]],
  [{ responseType: "Recursive", protocol: "Tcp", server: "technitium-secondary" }, "response_type = 2 AND protocol = 1 AND server = $1", ["technitium-secondary"]],
  [{ rcode: "ServerFailure" }, "rcode = 2", []],
  [{ server: "!technitium", qtype: "!A" }, "(server IS NULL OR server <> $1) AND (qtype IS NULL OR qtype <> 1)", ["technitium"]],
  [{ client: "10.0.20.1", qname: "www.google.com" }, "client_ip = $1 AND qname = $2", ["10.0.20.1", "www.google.com"]],
  [{ client: "10.0.20.1", rcode: "NxDomain", server: "technitium" }, "client_ip = $1 AND rcode = 3 AND server = $2", ["10.0.20.1", "technitium"]],
  [{ qname: "*.emrsn.org", rcode: "NoError" }, "qname LIKE $1 AND rcode = 0", ["%.emrsn.org"]],
  [{ client: "10.9.9.9" }, "client_ip = $1", ["10.9.9.9"]],
];

test("pages are in time order and match hand-written SQL for every kind of filter; keyset paging returns every row once", async () => {
  const cases: Case[] = [...CASES(), [{ client: rareClient.ip, server: rareClient.other }, "client_ip = $1 AND server = $2", [rareClient.ip, rareClient.other]]];
  for (const [params, where, values] of cases) {
    const want = await truth(params, where, values);
    const got = await walkAll(params);
    assert.deepEqual(got, want, `filter ${JSON.stringify(params)} (${want.length} rows)`);
  }
  // the empty intersections really are empty, and the others are not trivially so
  assert.equal((await truth({ client: "10.9.9.9" }, "client_ip = $1", ["10.9.9.9"])).length, 0);
  assert.ok((await truth({ qname: "*.emrsn.org", rcode: "NoError" }, "qname LIKE $1 AND rcode = 0", ["%.emrsn.org"])).length === 0);
  assert.ok((await truth({}, "true", [])).length > 20_000);
});

test("counts agree with SQL: exact from rollups for instance, enum, client and name filters; never off by 2× otherwise", async () => {
  const windows: Record<string, string>[] = [
    {},
    { from: new Date(END.getTime() - 30 * 3600_000 + 17 * 60_000).toISOString(), to: new Date(END.getTime() - 20 * 3600_000 + 5 * 60_000).toISOString() },
    { from: new Date(END.getTime() - 47 * 3600_000 - 12 * 60_000).toISOString() },
  ];
  for (const win of windows)
    for (const [p, where, values] of [...CASES(), [{ client: rareClient.ip, server: rareClient.other }, "client_ip = $1 AND server = $2", [rareClient.ip, rareClient.other]] as Case]) {
      const params = { ...p, ...win };
      const w = truthWhere(params, where, values);
      const want = Number((await fx.logs.query(`SELECT count(*) AS n FROM dns_logs WHERE ${w.sql}`, w.values)).rows[0].n);
      const c = await countRows(fx.stores, parse(params).filter);
      const label = `${JSON.stringify(params)}: ${c.kind} ${c.value} vs ${want} (${c.note})`;
      if (p.client && p.qname) {
        // a client AND a name: raw when few, else the sample; estimates are within 2× or say they are unknown
        assert.ok(c.kind === "rollup" || c.kind === "estimate" || c.kind === "unknown", label);
        if (c.kind === "estimate") assert.ok(c.value! <= 2 * want && c.value! >= want / 2, label);
        const exact = await countRows(fx.stores, parse(params).filter, { exact: true });
        assert.equal(exact.value, want, label);
      } else {
        assert.equal(c.kind, "rollup", label);
        assert.equal(c.value, want, label);
      }
    }
});

test("rows come back decoded: enum names, markers, NULL question, RTT only for Recursive", async () => {
  const zt = await queryPage(fx.stores, parse({ qname: "viktorbarzin.lan", qtype: "AXFR" }).filter, { limit: 5 });
  assert.ok(zt.rows.length > 0);
  assert.equal(zt.rows[0].answer, "[ZONE TRANSFER]");
  assert.equal(zt.rows[0].protocol, "Tcp");
  assert.equal(zt.rows[0].qtype, "AXFR");
  const nullq = await queryPage(fx.stores, parse({ rcode: "FormatError" }).filter, { limit: 5 });
  assert.ok(nullq.rows.length > 0);
  assert.equal(nullq.rows[0].qname, null);
  assert.equal(nullq.rows[0].qtype, null);
  const rec = await queryPage(fx.stores, parse({ responseType: "Recursive", rcode: "NoError" }).filter, { limit: 20 });
  assert.ok(rec.rows.every((r) => r.responseType === "Recursive" && typeof r.rtt === "number"));
  const cached = await queryPage(fx.stores, parse({ responseType: "Cached" }).filter, { limit: 20 });
  assert.ok(cached.rows.every((r) => r.rtt === null));
});

test("bad parameters are refused naming the parameter", () => {
  const bad: [Record<string, string>, string][] = [
    [{ client: "192.168.1.0/33" }, "client"],
    [{ client: "10.0.0.300" }, "client"],
    [{ from: "yesterday" }, "from"],
    [{ to: "2026-13-45T99:00:00Z" }, "to"],
    [{ rcode: "NoSuchThing" }, "rcode"],
    [{ qtype: "A,BOGUS" }, "qtype"],
    [{ qname: "~" }, "qname"],
    [{ qname: "a b" }, "qname"],
    [{ limit: "5000" }, "limit"],
    [{ cursor: "abc" }, "cursor"],
  ];
  for (const [params, name] of bad) {
    const r = listSchema.safeParse(params);
    assert.equal(r.success, false, JSON.stringify(params));
    assert.ok(r.error!.issues.some((i) => i.path[0] === name), `${JSON.stringify(params)} names ${name}`);
  }
  assert.equal(statsSchema.safeParse({ bucket: "7m" }).success, false);
  const tooFine = statsSchema.safeParse({ bucket: "1m", from: "2026-08-01T00:00:00Z", to: "2026-11-01T00:00:00Z" });
  assert.equal(tooFine.success, false);
  assert.equal(tooFine.error!.issues[0].path[0], "bucket");
});

test("injection payloads are refused or matched literally, and the table survives", async () => {
  const payloads = ["x'; DROP TABLE dns_logs; --", "1' OR '1'='1", "technitium') OR 1=1 --", "%", "A; DELETE FROM dns_logs"];
  for (const p of payloads)
    for (const field of ["client", "qname", "qtype", "rcode", "responseType", "protocol", "server", "from", "cursor"]) {
      const r = listSchema.safeParse({ [field]: p });
      if (r.success) assert.equal((await queryPage(fx.stores, r.data.filter, { limit: 5 })).rows.length, 0, `${field}=${p}`);
    }
  // LIKE metacharacters are literal: "_" must not match any single character.
  assert.deepEqual(await walkAll({ qname: "~_" }), await truth({}, "strpos(qname, '_') > 0", []));
  const idx = await fx.logs.query(`SELECT indexname FROM pg_indexes WHERE tablename = 'dns_logs'`);
  assert.deepEqual(idx.rows.map((r) => r.indexname).sort(), ["dns_logs_pkey", ...DNS_LOGS_INDEXES.map(([n]) => n)].sort());
});

test("rows past the watermark are found (the tail), pages stay stable while rows arrive, the live tail sees new rows", async () => {
  const at = new Date(END.getTime() + 30_000).toISOString();
  const insert = (name: string) =>
    fx.logs.query(
      `INSERT INTO dns_logs (server, timestamp, client_ip, protocol, response_type, response_rtt, rcode, qname, qtype, qclass, answer)
       VALUES ('technitium', $1, '192.168.1.77', 0, 2, 12.5, 0, $2, 1, 1, 'A 1.2.3.4')`,
      [at, name],
    );
  for (let i = 0; i < 5; i++) await insert(`x${i}.brand-new-name.example`);
  const params = { qname: "~brand-new-name", to: new Date(END.getTime() + 120_000).toISOString() };
  const p1 = await queryPage(fx.stores, parse(params).filter, { limit: 2 });
  assert.deepEqual(p1.rows.map((r) => r.qname), ["x4.brand-new-name.example", "x3.brand-new-name.example"]);
  await insert("x9.brand-new-name.example");
  const p2 = await queryPage(fx.stores, parse(params).filter, { cursor: Number(p1.nextCursor), limit: 2 });
  assert.deepEqual(p2.rows.map((r) => r.qname), ["x2.brand-new-name.example", "x1.brand-new-name.example"]);
  const newer = await queryNewer(fx.stores, parse({ qname: "~brand-new-name" }).filter, Number(p1.rows[0].id));
  assert.deepEqual(newer.map((r) => r.qname), ["x9.brand-new-name.example"]);
  const c = await countRows(fx.stores, parse(params).filter);
  assert.deepEqual([c.kind, c.value], ["rollup", 6]);
  await fx.logs.query(`DELETE FROM dns_logs WHERE qname LIKE '%brand-new-name%'`);
});

test("an unreachable query-log database gives a clear 'unavailable' error", async () => {
  const { mapDbError } = await import("../db");
  const pg = (await import("pg")).default;
  const dead = new pg.Pool({ connectionString: "postgresql://postgres:postgres@127.0.0.1:1/none", connectionTimeoutMillis: 500 });
  dead.on("error", () => {});
  try {
    await assert.rejects(
      () => queryPage({ logs: dead, deck: fx.deck }, parse({}).filter),
      (err: unknown) => {
        const e = mapDbError(err) as { code?: string; message: string };
        assert.equal(e.code, "unavailable");
        assert.match(e.message, /unreachable.*QUERYLOG_DATABASE_URL/);
        return true;
      },
    );
  } finally {
    await dead.end();
  }
});

test("a statement timeout is recognised by its SQLSTATE (57014) and becomes a 504 that says what to do", async () => {
  const { mapDbError } = await import("../db");
  const c = await fx.logs.connect();
  try {
    await c.query("SET statement_timeout = 1");
    const err = await c.query("SELECT pg_sleep(1)").catch((e) => e);
    assert.equal(err.code, "57014");
    const e = mapDbError(Object.assign(new Error("some other wording in another locale"), { code: "57014" })) as { code?: string; message: string; status?: number };
    assert.equal(e.code, "timeout");
    assert.match(e.message, /narrow the time range/);
  } finally {
    await c.query("RESET statement_timeout");
    c.release();
  }
});

test("a filter survives the round trip to URL parameters (links, export audit rows)", async () => {
  const { filterToParams } = await import("../filters");
  const f = parse({ server: "!technitium", client: "10.244.0.0/16", qname: "~github", qtype: "A,HTTPS", rcode: "!NxDomain", responseType: "Recursive", protocol: "Udp,Tcp" }).filter;
  assert.deepEqual(listSchema.parse(filterToParams(f)).filter, f);
});

test("a broad pattern (more names than the rollups are read for) is estimated from the sample within 2×; negated, rows without a name count", async () => {
  for (const [qname, where] of [
    ["~.com", "lower(qname) LIKE '%.com%'"],
    ["!~.com", "(qname IS NULL OR lower(qname) NOT LIKE '%.com%')"],
  ]) {
    const f = parse({ qname }).filter;
    const p = await plan(fx.stores, f);
    // as the plan marks a pattern matching more than MAX_PATTERN_NAMES names
    const broad = { ...p, name: { ...p.name!, ids: [], texts: [], poolOf: [], pools: [], broad: true } };
    const acc = new Acc(86_400_000, p.dict);
    await sampleEstimate(broad, acc);
    const want = Number((await fx.logs.query(`SELECT count(*) AS n FROM dns_logs WHERE ${where} AND timestamp >= $1 AND timestamp < $2`, [f.from, f.to])).rows[0].n);
    const got = acc.total();
    assert.ok(acc.approximate && !acc.unknown, `${qname}: ${JSON.stringify({ approximate: acc.approximate, unknown: acc.unknown, total: acc.total(), not: p.name?.not })}`);
    assert.ok(got <= 2 * want && got >= want / 2, `${qname}: ${got} vs ${want}`);
  }
});
