import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { ClientSet } from "@/k8s/client-set";
import { listSchema } from "../schemas";
import { filterToParams } from "../filters";
import { countRows, queryPage } from "../query";
import { queryStats } from "../stats";
import { END, type Fixture, fixture, parse } from "./fixture";

// Filters by who asked (clientKind / clientName), as the client directory resolves them: address/time windows,
// networks minus what Kubernetes names first, negation, and the plain address list. Pages, counts, series and top
// lists against hand-written SQL over the same dns_logs.
let fx: Fixture;
before(async () => {
  fx = await fixture();
});
after(() => fx?.close());

const H = 3600_000;
const at = (h: number) => new Date(END.getTime() - h * H);

/** A CoreDNS pod's address for a day, then a node's for 25 hours: windows that cut through days and hours. */
const windowed: ClientSet = {
  not: false,
  windows: [
    { ip: "10.244.0.2", from: at(50), to: at(26) },
    { ip: "10.0.20.101", from: at(30), to: at(5) },
  ],
  nets: [],
  except: [],
  label: "test",
};
const windowedSql = `((client_ip = '10.244.0.2' AND timestamp >= $1 AND timestamp < $2) OR (client_ip = '10.0.20.101' AND timestamp >= $3 AND timestamp < $4))`;
const windowedValues = [at(50), at(26), at(30), at(5)];

/** LAN devices (the /24 minus pfSense's WAN address), except while a pod held 192.168.1.100. */
const lan: ClientSet = { not: false, windows: [], nets: [{ cidrs: ["192.168.1.0/24"], notCidrs: ["192.168.1.2/32"] }], except: [{ ip: "192.168.1.100", from: at(20), to: at(10) }], label: "test" };
const lanSql = `(client_ip::inet <<= '192.168.1.0/24' AND client_ip <> '192.168.1.2' AND NOT (client_ip = '192.168.1.100' AND timestamp >= $1 AND timestamp < $2))`;
const lanValues = [at(20), at(10)];

const CASES: [string, ClientSet, Record<string, string>, string, unknown[]][] = [
  ["windows", windowed, {}, windowedSql, windowedValues],
  ["windows + NXDOMAIN", windowed, { rcode: "NxDomain" }, `${windowedSql} AND rcode = 3`, windowedValues],
  ["windows + a name", windowed, { qname: "*.viktorbarzin.lan" }, `${windowedSql} AND qname LIKE '%.viktorbarzin.lan'`, windowedValues],
  ["not the windows", { ...windowed, not: true }, { server: "technitium" }, `NOT ${windowedSql} AND server = 'technitium'`, windowedValues],
  ["a network minus Kubernetes", lan, {}, lanSql, lanValues],
  ["nothing", { not: false, windows: [], nets: [], except: [], label: "test" }, {}, "false", []],
];

async function truth(params: Record<string, string>, where: string, values: unknown[]) {
  const f = parse(params).filter;
  const n = values.length;
  return { sql: `(${where}) AND timestamp >= $${n + 1} AND timestamp < $${n + 2}`, values: [...values, f.from, f.to] };
}

const withSet = (params: Record<string, string>, set: ClientSet) => ({ ...parse(params).filter, clientSet: set });

test("pages match SQL row for row, keyset paging returns every row once, for windows, networks and negation", async () => {
  for (const [label, set, params, where, values] of CASES) {
    const w = await truth(params, where, values);
    const want = (await fx.logs.query(`SELECT dlid FROM dns_logs WHERE ${w.sql} ORDER BY timestamp DESC, dlid DESC`, w.values)).rows.map((r) => String(r.dlid));
    const got: string[] = [];
    let cursor: number | null = null;
    for (let i = 0; i < 200; i++) {
      const page = await queryPage(fx.stores, withSet(params, set), { cursor, limit: 900 });
      got.push(...page.rows.map((r) => r.id));
      if (!page.nextCursor) break;
      cursor = Number(page.nextCursor);
    }
    assert.deepEqual(got, want, `${label}: ${want.length} rows`);
    if (label !== "nothing") assert.ok(want.length > 0, `${label} matches something`);
  }
});

test("counts, the volume series and the top lists follow the windows exactly (raw rows when the cubes bound them to a few)", async () => {
  for (const [label, set, params, where, values] of CASES) {
    const w = await truth(params, where, values);
    const want = Number((await fx.logs.query(`SELECT count(*) AS n FROM dns_logs WHERE ${w.sql}`, w.values)).rows[0].n);
    const c = await countRows(fx.stores, withSet(params, set), { exact: true });
    assert.equal(c.value, want, `${label}: count ${c.kind} (${c.note})`);
    const st = await queryStats(fx.stores, withSet(params, set), { bucket: "1h" });
    const series = st.series.reduce((s, p) => s + p.total, 0);
    assert.equal(Math.round(series), want, `${label}: series total`);
    const top = (await fx.logs.query(`SELECT client_ip AS key, count(*)::int AS n FROM dns_logs WHERE ${w.sql} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 20`, w.values)).rows;
    assert.deepEqual(
      st.top.clients.map((e) => [e.key, e.count]),
      top.map((r) => [r.key, r.n]),
      `${label}: top clients`,
    );
    if (label === "windows") assert.deepEqual(new Set(st.top.clients.map((e) => e.key)), new Set(["10.244.0.2", "10.0.20.101"]));
  }
});

test("an address list (time does not matter in the range) is answered exactly from the rollups, negated too", async () => {
  const nodes = ["10.0.20.100", "10.0.20.102"];
  for (const not of [false, true]) {
    const f = { ...parse({}).filter, client: { kind: "list" as const, value: "nodes", values: nodes, not } };
    const want = Number((await fx.logs.query(`SELECT count(*) AS n FROM dns_logs WHERE ${not ? "NOT " : ""}(client_ip = ANY($1)) AND timestamp >= $2 AND timestamp < $3`, [nodes, f.from, f.to])).rows[0].n);
    const c = await countRows(fx.stores, f);
    assert.deepEqual([c.kind, c.value], ["rollup", want], `not=${not}`);
    const page = await queryPage(fx.stores, f, { limit: 200 });
    assert.ok(page.rows.length === 200 && page.rows.every((r) => nodes.includes(r.clientIp) !== not));
  }
});

test("clientKind / clientName are validated like every filter and survive the round trip to URL parameters", () => {
  const bad = (q: Record<string, string>) => {
    const r = listSchema.safeParse(q);
    assert.equal(r.success, false, JSON.stringify(q));
    return r.error!.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
  };
  assert.match(bad({ clientKind: "router" }), /clientKind: "router" is not a client kind/);
  assert.match(bad({ clientName: "!ha-sofia" }), /clientName: cannot be negated/);
  assert.match(bad({ clientName: "x'; DROP TABLE dns_logs;--" }), /clientName: may only contain/);
  assert.match(bad({ clientName: "a".repeat(101) }), /clientName: is longer than 100/);
  assert.match(bad({ client: "10.0.20.1", clientKind: "lan-device" }), /cannot be combined with client/);
  const ok = listSchema.parse({ clientKind: "!nodelocal-node,coredns-pod", clientName: "pfSense dnsmasq · K8s VLAN" });
  assert.deepEqual(ok.filter.who, { kinds: ["nodelocal-node", "coredns-pod"], kindsNot: true, name: "pfSense dnsmasq · K8s VLAN" });
  const back = filterToParams(ok.filter);
  assert.equal(back.clientKind, "!nodelocal-node,coredns-pod");
  assert.equal(back.clientName, "pfSense dnsmasq · K8s VLAN");
  // a resolved address list is not a URL parameter of its own
  assert.equal(filterToParams({ ...ok.filter, client: { kind: "list", value: "x", values: ["10.0.20.1"], not: false } }).client, undefined);
});

test("rows past the watermark (a name first seen after the last rollup) are in the top clients of a name filter, named sets too", async () => {
  await fx.logs.query(
    `INSERT INTO dns_logs (server, timestamp, client_ip, protocol, response_type, response_rtt, rcode, qname, qtype, qclass, answer)
     SELECT 'technitium', $1::timestamptz - make_interval(mins => g), ip, 0, 1, NULL, 3, 'brand-new.viktorbarzin.lan', 1, 1, NULL
       FROM generate_series(1, 3) g, unnest(ARRAY['10.0.20.101', '10.0.20.101', '192.168.1.120']) ip`,
    [at(6)],
  );
  const st = await queryStats(fx.stores, parse({ qname: "brand-new.viktorbarzin.lan" }).filter, { parts: ["top"] });
  assert.deepEqual(st.top.clients.map((e) => [e.key, e.count]), [["10.0.20.101", 6], ["192.168.1.120", 3]]);
  const named = await queryStats(fx.stores, withSet({ qname: "brand-new.viktorbarzin.lan" }, windowed), { parts: ["top"] });
  assert.deepEqual(named.top.clients.map((e) => [e.key, e.count]), [["10.0.20.101", 6]]);
});
