import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pg from "pg";
import { freshDatabase, type TestDatabase } from "@/server/testing/db";
import { DNS_LOGS_DDL } from "../../querylogs/generate";
import { startTechnitiumTwin, type TechnitiumTwin } from "../index";

// One release at a time (twin/README.md, "Technitium versions"): what 14.3 and 15.2 answer differently.
let v14: TechnitiumTwin, v15: TechnitiumTwin;
let db: TestDatabase;
const dirs: string[] = [];
const call = async (t: TechnitiumTwin, i: number, p: string, params: Record<string, string>, headers: Record<string, string> = {}) =>
  (await fetch(`${t.instances[i].url}${p}?${new URLSearchParams(params)}`, { headers })).json();

before(async () => {
  db = await freshDatabase({ prefix: "tech_versions", migrated: false });
  const c = new pg.Client({ connectionString: db.url });
  await c.connect();
  await c.query(DNS_LOGS_DDL);
  await c.query(`INSERT INTO dns_logs (server, timestamp, client_ip, protocol, response_type, response_rtt, rcode, qname, qtype, qclass, answer) VALUES
    ('technitium', now() - interval '2 minutes', '192.168.1.120', 0, 2, 14.5, 0, 'immich.viktorbarzin.me', 1, 1, 'A 10.0.20.200'),
    ('technitium', now() - interval '1 minute', '10.244.1.2', 1, 1, NULL, 3, 'github.com.viktorbarzin.lan', 1, 1, NULL),
    ('technitium-secondary', now(), '192.168.1.121', 0, 3, NULL, 0, 'immich.viktorbarzin.me', 1, 1, NULL)`);
  await c.end();
  const mk = () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), "tech-ver-"));
    dirs.push(d);
    return d;
  };
  v14 = await startTechnitiumTwin({ stateDir: mk(), version: "14.3", queryLogDatabaseUrl: db.url });
  v15 = await startTechnitiumTwin({ stateDir: mk(), version: "15.2", queryLogDatabaseUrl: db.url });
});
after(async () => {
  await v14?.stop();
  await v15?.stop();
  await db?.drop();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

test("14.3 has no PostgreSQL query logger: not in apps/list, and logs/query says the app does not exist", async () => {
  const s = await call(v14, 0, "/api/user/session/get", { token: v14.instances[0].token });
  assert.equal(s.info.version, "14.3");
  const apps = await call(v14, 0, "/api/apps/list", { token: v14.instances[0].token });
  assert.deepEqual(apps.response.apps.map((a: { name: string }) => a.name).sort(), ["DNS Rebinding Protection", "Split Horizon"]);
  const q = await call(v14, 0, "/api/logs/query", { token: v14.instances[0].token, name: "Query Logs (PostgreSQL)", classPath: "QueryLogsPostgreSql.App" });
  assert.equal(q.status, "error");
  assert.equal(q.errorMessage, "DNS application was not found: Query Logs (PostgreSQL)");
  assert.ok(q.stackTrace, "14.x error envelopes carry a stackTrace");
});

test("15.2 offers the app and answers logs/query with this instance's rows only, enum names and paging", async () => {
  const s = await call(v15, 0, "/api/user/session/get", { token: v15.instances[0].token });
  assert.equal(s.info.version, "15.2");
  const q = await call(v15, 0, "/api/logs/query", { token: v15.instances[0].token, name: "Query Logs (PostgreSQL)", classPath: "QueryLogsPostgreSql.App", entriesPerPage: "1" });
  assert.equal(q.status, "ok");
  assert.equal(q.response.totalEntries, 2, "the secondary's row is not the primary's");
  assert.equal(q.response.totalPages, 2);
  assert.deepEqual(q.response.entries[0], { rowNumber: 2, timestamp: q.response.entries[0].timestamp, clientIpAddress: "10.244.1.2", protocol: "Tcp", responseType: "Authoritative", rcode: "NxDomain", qname: "github.com.viktorbarzin.lan", qtype: "A", qclass: "IN", answer: null });
  const lan = await call(v15, 0, "/api/logs/query", { token: v15.instances[0].token, name: "Query Logs (PostgreSQL)", classPath: "QueryLogsPostgreSql.App", clientIpAddress: "192.168.1.120", qname: "*.viktorbarzin.me" });
  assert.deepEqual(lan.response.entries.map((e: { answer: string; responseRtt: number }) => [e.answer, e.responseRtt]), [["A 10.0.20.200", 14.5]]);
  const wrongClass = await call(v15, 0, "/api/logs/query", { token: v15.instances[0].token, name: "Query Logs (PostgreSQL)", classPath: "Nope.App" });
  assert.equal(wrongClass.errorMessage, "DNS application 'Nope.App' class path was not found: Query Logs (PostgreSQL)");
  assert.equal(wrongClass.stackTrace, undefined, "15.x error envelopes have no stackTrace");
});

test("a Bearer token works on 15.2 and is ignored on 14.3; a // comment in an app config is accepted only on 15.2", async () => {
  const bearer = (t: TechnitiumTwin) => call(t, 0, "/api/zones/list", {}, { authorization: `Bearer ${t.instances[0].token}` });
  assert.equal((await bearer(v15)).status, "ok");
  assert.equal((await bearer(v14)).status, "invalid-token");
  const withComment = '{\n  // hand edit\n  "enableProtection": true, "bypassNetworks": [], "privateNetworks": ["10.0.0.0/8"], "privateDomains": ["home.arpa"]\n}';
  const set = async (t: TechnitiumTwin) =>
    (await fetch(`${t.instances[0].url}/api/apps/config/set`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams({ token: t.instances[0].token, name: "DNS Rebinding Protection", config: withComment }).toString() })).json();
  assert.equal((await set(v15)).status, "ok");
  const r14 = await set(v14);
  assert.equal(r14.status, "error");
  assert.match(r14.errorMessage, /while parsing the app config/);
});
