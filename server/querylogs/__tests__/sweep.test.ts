import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { countRows, queryPage } from "../query";
import { listSchema, statsSchema } from "../schemas";
import { queryStats } from "../stats";
import { DAYS, END, type Fixture, fixture } from "./fixture";

// Filters a person might combine, drawn at random (fixed seed) from the data's own names, clients and enum values,
// over ranges that start and end mid-hour: every panel against hand-written SQL. The cases the named tests did not
// think of — one such found a pattern of a few hundred names whose top names came back empty.
let fx: Fixture;
before(async () => {
  fx = await fixture({ seed: 23 });
});
after(() => fx?.close());

type Dim = { param: string; value: string; sql: (v: (x: unknown) => string) => string };

test("random combined filters over mid-hour ranges: series, top lists, exact count and first page equal SQL", async () => {
  let seed = Number(process.env.SWEEP_SEED ?? 20261205);
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
  const names: string[] = (await fx.logs.query(`SELECT qname FROM dns_logs WHERE qname IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 400`)).rows.map((r) => r.qname);
  const clients: string[] = (await fx.logs.query(`SELECT client_ip FROM dns_logs GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 100`)).rows.map((r) => r.client_ip);
  const servers: string[] = (await fx.logs.query(`SELECT DISTINCT server FROM dns_logs WHERE server <> 'technitium' ORDER BY 1`)).rows.map((r) => r.server);
  const enumDim = (param: string, col: string, values: [string, number][]) => (): Dim => {
    const [name, n] = pick(values);
    const not = rnd() < 0.25;
    return { param, value: `${not ? "!" : ""}${name}`, sql: (v) => (not ? `${col} IS DISTINCT FROM ${v(n)}` : `${col} = ${v(n)}`) };
  };
  const dims: (() => Dim)[] = [
    () => {
      const s = pick(["technitium", ...servers]);
      const not = rnd() < 0.3;
      return { param: "server", value: `${not ? "!" : ""}${s}`, sql: (v) => (not ? `server IS DISTINCT FROM ${v(s)}` : `server = ${v(s)}`) };
    },
    enumDim("rcode", "rcode", [["NxDomain", 3], ["NoError", 0], ["ServerFailure", 2]]),
    enumDim("qtype", "qtype", [["A", 1], ["AAAA", 28], ["PTR", 12], ["HTTPS", 65]]),
    enumDim("responseType", "response_type", [["Recursive", 2], ["Cached", 3], ["Authoritative", 1], ["Blocked", 4]]),
    enumDim("protocol", "protocol", [["Udp", 0], ["Tcp", 1]]),
    () => {
      const c = pick(clients);
      const kind = pick(["ip", "ip", "not", "cidr24", "cidr16"]);
      if (kind === "ip") return { param: "client", value: c, sql: (v) => `client_ip = ${v(c)}` };
      if (kind === "not") return { param: "client", value: `!${c}`, sql: (v) => `client_ip <> ${v(c)}` };
      const net = kind === "cidr24" ? `${c.split(".").slice(0, 3).join(".")}.0/24` : `${c.split(".").slice(0, 2).join(".")}.0.0/16`;
      return { param: "client", value: net, sql: (v) => `client_ip::inet <<= ${v(net)}::inet` };
    },
    () => {
      const n = pick(names);
      const kind = pick(["exact", "exact", "not", "suffix", "substring"]);
      if (kind === "exact") return { param: "qname", value: n, sql: (v) => `qname = ${v(n)}` };
      if (kind === "not") return { param: "qname", value: `!${n}`, sql: (v) => `qname IS DISTINCT FROM ${v(n)}` };
      if (kind === "suffix") {
        const s = n.split(".").slice(-2).join(".");
        return { param: "qname", value: `*.${s}`, sql: (v) => `qname LIKE ${v(`%.${s}`)}` };
      }
      const sub = n.slice(1, 4);
      return { param: "qname", value: `~${sub}`, sql: (v) => `qname LIKE ${v(`%${sub}%`)}` };
    },
  ];
  const span = DAYS * 86_400_000;
  const start = END.getTime() - span;
  const failures: string[] = [];
  for (let i = 0; i < 40; i++) {
    const chosen = new Map<string, Dim>();
    for (let k = 1 + Math.floor(rnd() * 3); k > 0; k--) {
      const d = pick(dims)();
      chosen.set(d.param, d);
    }
    // ranges from an hour to the whole set, at odd minutes
    const len = pick([5.3, 24, 30.5, 47, DAYS * 24 + 2]) * 3_600_000;
    const to = Math.min(END.getTime() + 60_000, start + 3_600_000 + Math.floor(rnd() * span) + len / 2);
    const from = Math.max(start - 60_000, to - len);
    const params: Record<string, string> = { from: new Date(from).toISOString(), to: new Date(to).toISOString() };
    for (const d of chosen.values()) params[d.param] = d.value;
    const values: unknown[] = [];
    const v = (x: unknown) => `$${values.push(x)}`;
    const where = [`timestamp >= ${v(params.from)}`, `timestamp < ${v(params.to)}`, ...[...chosen.values()].map((d) => d.sql(v))].join(" AND ");
    const label = JSON.stringify(params);
    const s = statsSchema.parse({ ...params, bucket: "1h" });
    const st = await queryStats(fx.stores, s.filter, { bucket: s.bucket });
    const truth = Number((await fx.logs.query(`SELECT count(*) AS n FROM dns_logs WHERE ${where}`, values)).rows[0].n);
    const total = st.series.reduce((a, p) => a + p.total, 0);
    if (st.source !== "estimate" && total !== truth) failures.push(`${label}: series ${total}, SQL ${truth}`);
    for (const [list, col, extra] of [
      ["names", "qname", "qname IS NOT NULL"],
      ["clients", "client_ip", "true"],
      ["blocked", "qname", "qname IS NOT NULL AND response_type IN (4, 5, 6)"],
    ] as const) {
      const { rows } = await fx.logs.query(`SELECT ${col} AS key, count(*)::int AS n FROM dns_logs WHERE ${where} AND ${extra} GROUP BY 1 ORDER BY 2 DESC, 1`, values);
      const want = new Map<string, number>(rows.map((r) => [r.key, r.n]));
      const got = st.top[list];
      const q = st.top.quality[list];
      if (q !== "estimate") for (const e of got) if (want.get(e.key) !== e.count) failures.push(`${label}: ${list} ${e.key} ${e.count}, SQL ${want.get(e.key)}`);
      // a list that says it is exact holds SQL's top counts; one that lists fewer keys than there are says so
      if (q === "exact") assert.deepEqual(got.map((e) => e.count), rows.slice(0, 20).map((r) => r.n), `${label}: ${list} exact`);
      else if (got.length < Math.min(20, want.size)) assert.ok(st.notes.length > 0, `${label}: ${list} lists ${got.length} of ${want.size} keys (${q}) without a note`);
    }
    const l = listSchema.parse(params);
    const exact = await countRows(fx.stores, l.filter, { exact: true });
    if (exact.value !== truth) failures.push(`${label}: exact count ${exact.value}, SQL ${truth}`);
    const page = await queryPage(fx.stores, l.filter, { limit: 50 });
    const first = await fx.logs.query(`SELECT dlid FROM dns_logs WHERE ${where} ORDER BY timestamp DESC, dlid DESC LIMIT 50`, values);
    assert.deepEqual(page.rows.map((r) => Number(r.id)), first.rows.map((r) => Number(r.dlid)), `${label}: first page`);
  }
  assert.deepEqual(failures, []);
});
