import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startTechnitiumTwin, type TechnitiumTwin } from "../index";

// The twin's record API held to reference technitium.md §6 (exact texts, RRset rules, ptr, update resetting
// metadata, delete taking the PTR, one serial bump per commit, metadata only on the primary).

let twin: TechnitiumTwin;
let dir: string;

async function call(i: number, p: string, params: Record<string, string> = {}) {
  const body = new URLSearchParams({ ...params, token: twin.instances[i].token });
  const res = await fetch(`${twin.instances[i].url}/api/zones/records/${p}`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded" }, body: body.toString() });
  return (await res.json()) as { status: string; errorMessage?: string; response?: any };
}
const ok = async (i: number, p: string, params: Record<string, string>) => {
  const r = await call(i, p, params);
  assert.equal(r.status, "ok", `${p}: ${r.errorMessage}`);
  return r.response;
};
const err = async (i: number, p: string, params: Record<string, string>) => {
  const r = await call(i, p, params);
  assert.equal(r.status, "error", `${p} should fail`);
  return r.errorMessage;
};
const Z = "viktorbarzin.lan";
const serial = async (zone: string, i = 0) => (await ok(i, "get", { zone, domain: zone })).zone.soaSerial as number;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "tech-twin-rec-"));
  twin = await startTechnitiumTwin({ stateDir: dir, transferDelayMs: 50, retryMs: 300 });
});
after(async () => {
  await twin.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test("add: response zone carries the bumped serial; duplicates, CNAME rules, TTL > SOA EXPIRE, zone and Secondary errors use Technitium's texts", async () => {
  const s0 = await serial(Z);
  const r = await ok(0, "add", { zone: Z, domain: `web1.${Z}`, type: "A", ipAddress: "10.0.20.50", ttl: "300", comments: "dnsdeck: test" });
  assert.ok(r.zone.soaSerial > s0, "one bump (the seed uses the date scheme, YYYYMMDDnn, reference §6.6)");
  assert.equal(r.addedRecord.comments, "dnsdeck: test");
  assert.equal(await err(0, "add", { zone: Z, domain: `web1.${Z}`, type: "A", ipAddress: "10.0.20.50" }), "Cannot add record: record already exists.");
  assert.equal(await err(0, "add", { zone: Z, domain: `web1.${Z}`, type: "CNAME", cname: `traefik.${Z}` }), "Cannot add record: a CNAME record cannot exists with other record types for the same name.");
  assert.equal(await err(0, "add", { zone: Z, domain: Z, type: "CNAME", cname: `traefik.${Z}` }), "Cannot set CNAME record at zone apex.");
  assert.equal(await err(0, "add", { zone: Z, domain: `loop.${Z}`, type: "CNAME", cname: `loop.${Z}` }), "CNAME domain name cannot be same as that of the record name.");
  assert.equal(await err(0, "add", { zone: Z, domain: `grafana.${Z}`, type: "CNAME", cname: `other.${Z}` }), "Record already exists. Use overwrite option if you wish to overwrite existing record.");
  assert.equal(await err(0, "add", { zone: Z, domain: `grafana.${Z}`, type: "A", ipAddress: "10.0.20.9" }), "Cannot add record: a CNAME record cannot exists with other record types for the same name.");
  assert.equal(await err(0, "add", { zone: Z, domain: `x.${Z}`, type: "A", ipAddress: "10.0.20.9", ttl: "604801" }), "Cannot add record: TTL cannot be greater than SOA EXPIRE.");
  assert.equal(await err(0, "add", { zone: Z, domain: "x.example.com", type: "A", ipAddress: "10.0.20.9" }), `The domain name 'x.example.com' does not belong to the zone: ${Z}`);
  assert.equal(await err(0, "add", { zone: "nope.lan", domain: "x.nope.lan", type: "A", ipAddress: "10.0.20.9" }), "No such zone was found: nope.lan");
  assert.equal(await err(1, "add", { zone: Z, domain: `x.${Z}`, type: "A", ipAddress: "10.0.20.9" }), "Cannot add record in Secondary zone.");
  assert.equal(await err(0, "add", { zone: "localhost", domain: "x.localhost", type: "A", ipAddress: "127.0.0.2" }), "Access was denied to manage internal DNS Server zone.");
  assert.equal(await serial(Z), r.zone.soaSerial, "failed calls change nothing");
  // a new TTL re-TTLs the whole RRset
  await ok(0, "add", { zone: Z, domain: `web1.${Z}`, type: "A", ipAddress: "10.0.20.51", ttl: "600" });
  const got = await ok(0, "get", { zone: Z, domain: `web1.${Z}` });
  assert.deepEqual(got.records.map((x: any) => [x.rData.ipAddress, x.ttl]), [["10.0.20.50", 600], ["10.0.20.51", 600]]);
});

test("ptr=true: the PTR is set in the closest reverse zone (its serial bumped separately); no reverse zone is an error", async () => {
  const rev = "20.0.10.in-addr.arpa";
  const r0 = await serial(rev);
  await ok(0, "add", { zone: Z, domain: `nas9.${Z}`, type: "A", ipAddress: "10.0.20.77", ptr: "true", ttl: "300" });
  const ptr = await ok(0, "get", { zone: rev, domain: `77.${rev}` });
  assert.deepEqual(ptr.records.map((x: any) => [x.type, x.rData.ptrName, x.ttl]), [["PTR", `nas9.${Z}`, 300]]);
  assert.ok((await serial(rev)) > r0, "the reverse zone bumped on its own");
  assert.equal(await err(0, "add", { zone: Z, domain: `far.${Z}`, type: "A", ipAddress: "172.16.5.5", ptr: "true" }), "No reverse zone available to add PTR record.");
  // update with ptr moves it: the old PTR RRset goes, the new one names the host
  await ok(0, "update", { zone: Z, domain: `nas9.${Z}`, type: "A", ipAddress: "10.0.20.77", newIpAddress: "10.0.20.78", ptr: "true", ttl: "300" });
  assert.deepEqual((await ok(0, "get", { zone: rev, domain: `77.${rev}` })).records, []);
  assert.equal((await ok(0, "get", { zone: rev, domain: `78.${rev}` })).records[0].rData.ptrName, `nas9.${Z}`);
  // delete of the A takes its PTR with it
  await ok(0, "delete", { zone: Z, domain: `nas9.${Z}`, type: "A", ipAddress: "10.0.20.78" });
  assert.deepEqual((await ok(0, "get", { zone: rev, domain: `78.${rev}` })).records, []);
  assert.equal(await err(0, "delete", { zone: Z, domain: `nas9.${Z}`, type: "A", ipAddress: "10.0.20.78" }), "Cannot delete record: no such record exists.");
});

test("update resets omitted metadata and names a missing record; MX, SRV and split TXT round-trip; comments stay on the primary", async () => {
  await ok(0, "add", { zone: Z, domain: `meta.${Z}`, type: "A", ipAddress: "10.0.20.60", ttl: "120", comments: "keep me" });
  const u = await ok(0, "update", { zone: Z, domain: `meta.${Z}`, type: "A", ipAddress: "10.0.20.60", newIpAddress: "10.0.20.61" });
  assert.equal(u.updatedRecord.ttl, 3600, "ttl back to defaultRecordTtl");
  assert.equal(u.updatedRecord.comments, undefined, "comments cleared");
  assert.equal(await err(0, "update", { zone: Z, domain: `meta.${Z}`, type: "A", ipAddress: "10.0.20.99", newIpAddress: "10.0.20.62" }), "Cannot update record: the record does not exists to be updated.");
  await ok(0, "add", { zone: Z, domain: Z, type: "MX", preference: "10", exchange: `mail.${Z}` });
  await ok(0, "add", { zone: Z, domain: `_sip._udp.${Z}`, type: "SRV", priority: "10", weight: "5", port: "5060", target: `sip.${Z}` });
  await ok(0, "add", { zone: Z, domain: `txt.${Z}`, type: "TXT", text: "part one\npart two", splitText: "true" });
  const txt = (await ok(0, "get", { zone: Z, domain: `txt.${Z}` })).records[0].rData;
  assert.deepEqual(txt.characterStrings, ["part one", "part two"]);
  assert.equal(txt.splitText, true);
  const srv = (await ok(0, "get", { zone: Z, domain: `_sip._udp.${Z}` })).records[0].rData;
  assert.deepEqual([srv.priority, srv.weight, srv.port, srv.target], [10, 5, 5060, `sip.${Z}`]);
  assert.equal(await err(0, "delete", { zone: Z, domain: `txt.${Z}`, type: "TXT", text: "part one\npart two" }), "Cannot delete record: no such record exists.", "TXT delete needs the same splitText");
  // the Kea DDNS records carry Technitium's RFC 2136 comment on the primary only
  const printer = (await ok(0, "get", { zone: Z, domain: `printer.${Z}` })).records[0];
  assert.match(printer.comments, /^Via Dynamic Updates \(RFC 2136\) from '10\.0\.20\.1:\d+'$/);
  await ok(2, "get", { zone: Z, domain: `printer.${Z}` }).then((r) => assert.equal(r.records[0].comments, undefined));
});
