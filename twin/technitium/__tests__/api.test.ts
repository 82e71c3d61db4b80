import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startTechnitiumTwin, PRIMARY_TRANSFER_HOST, type TechnitiumTwin } from "../index";
import { TechnitiumClient, TechnitiumError } from "../../../server/technitium/client";

let twin: TechnitiumTwin;
let dir: string;
const url = (i: number) => twin.instances[i].url;
const tok = (i: number) => twin.instances[i].token;
const client = (i: number) => new TechnitiumClient({ name: twin.instances[i].name, url: url(i), primary: i === 0 }, tok(i), 4000);

async function raw(i: number, p: string, params: Record<string, string> = {}, method: "GET" | "POST" = "GET") {
  const body = new URLSearchParams(params);
  const res = await fetch(method === "GET" ? `${url(i)}${p}?${body}` : `${url(i)}${p}`, {
    method,
    headers: method === "POST" ? { "content-type": "application/x-www-form-urlencoded" } : undefined,
    body: method === "POST" ? body.toString() : undefined,
  });
  return { status: res.status, text: await res.text() };
}

async function waitFor<T>(fn: () => Promise<T | undefined>, ms = 5000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 100));
  }
}

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "tech-twin-"));
  // this file holds the twin to 14.3 behaviour (versions.test.ts covers what 15.2 changes)
  twin = await startTechnitiumTwin({ stateDir: dir, transferDelayMs: 100, retryMs: 500, version: "14.3" });
});
after(async () => {
  await twin.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

test("a bad token gets the invalid-token envelope with HTTP 200", async () => {
  const r = await raw(0, "/api/zones/list", { token: "nope" });
  assert.equal(r.status, 200);
  const j = JSON.parse(r.text);
  assert.deepEqual(j, { status: "invalid-token", errorMessage: "Invalid token or session expired.", server: "technitium" });
  // 14.x ignores the Bearer header
  const res = await fetch(`${url(0)}/api/zones/list`, { headers: { authorization: `Bearer ${tok(0)}` } });
  assert.equal((await res.json()).status, "invalid-token");
});

test("an unknown path is a 404 with an empty body; unknown parameters are ignored", async () => {
  const r = await raw(0, "/api/zones/frobnicate", { token: tok(0) });
  assert.equal(r.status, 404);
  assert.equal(r.text, "");
  const ok = JSON.parse((await raw(0, "/api/zones/list", { token: tok(0), zonesPerPgae: "2" })).text);
  assert.equal(ok.status, "ok");
  assert.ok(ok.response.zones.length > 5, "misspelt paging parameter is ignored: all zones returned");
});

test("session/get reports 14.3 at top level; login and createToken work with user+pass", async () => {
  const s = JSON.parse((await raw(1, "/api/user/session/get", { token: tok(1) })).text);
  assert.equal(s.status, "ok");
  assert.equal(s.response, undefined);
  assert.equal(s.info.version, "14.3");
  assert.equal(s.info.dnsServerDomain, "technitium-secondary");
  assert.equal(s.tokenName, "dnsdeck");
  const login = JSON.parse((await raw(1, "/api/user/login", { user: "admin", pass: "admin", includeInfo: "true" }, "POST")).text);
  assert.match(login.token, /^[0-9a-f]{64}$/);
  assert.equal(login.info.version, "14.3");
  const created = JSON.parse((await raw(1, "/api/user/createToken", { user: "admin", pass: "admin", tokenName: "t2" }, "POST")).text);
  assert.equal(created.tokenName, "t2");
  const viaNew = JSON.parse((await raw(1, "/api/zones/list", { token: created.token })).text);
  assert.equal(viaNew.status, "ok");
  // a login session idle for more than 30 minutes is gone
  const s2 = twin.state("secondary").tokens.find((t) => t.token === login.token)!;
  s2.lastUsed = Date.now() - 31 * 60_000;
  assert.equal(JSON.parse((await raw(1, "/api/zones/list", { token: login.token })).text).status, "invalid-token");
});

test("zones/list carries the per-type fields; internal zones are flagged", async () => {
  const { zones } = await client(1).call<{ zones: Record<string, unknown>[] }>("zones/list");
  const localhost = zones.find((z) => z.name === "localhost")!;
  assert.equal(localhost.internal, true);
  assert.equal("notifyFailed" in localhost, false);
  const lan = zones.find((z) => z.name === "viktorbarzin.lan")!;
  assert.equal(lan.type, "Secondary");
  assert.equal(lan.soaSerial, 2026111405);
  for (const k of ["expiry", "isExpired", "syncFailed", "validationFailed", "dnssecStatus", "notifyFailed", "catalog"]) assert.ok(k in lan, k);
  assert.equal("internal" in lan, false);
  const primary = (await client(0).call<{ zones: Record<string, unknown>[] }>("zones/list")).zones;
  const p = primary.find((z) => z.name === "viktorbarzin.lan")!;
  assert.equal(p.internal, false);
  assert.equal("isExpired" in p, false);
  assert.equal(p.soaSerial, 2026111901);
  assert.deepEqual(
    primary.filter((z) => !z.internal).map((z) => z.name).sort(),
    ["0.168.192.in-addr.arpa", "1.168.192.in-addr.arpa", "10.0.10.in-addr.arpa", "2.3.10.in-addr.arpa", "20.0.10.in-addr.arpa", "emrsn.org", "viktorbarzin.lan"],
  );
  const paged = await client(0).call<{ zones: unknown[]; totalPages: number; pageNumber: number }>("zones/list", { pageNumber: 99, zonesPerPage: 5 });
  assert.equal(paged.pageNumber, paged.totalPages, "out-of-range page clamps to the last page");
});

test("a Secondary created through the API starts at serial 0, expired, then gets the primary's serial", async () => {
  const c = client(1);
  const out = await c.call<{ domain: string }>("zones/create", { zone: "emrsn.org.", type: "Secondary", primaryNameServerAddresses: PRIMARY_TRANSFER_HOST }, { method: "POST" });
  assert.equal(out.domain, "emrsn.org");
  const first = (await c.call<{ zones: Record<string, unknown>[] }>("zones/list")).zones.find((z) => z.name === "emrsn.org")!;
  assert.equal(first.soaSerial, 0);
  assert.equal(first.isExpired, true);
  assert.equal(first.expiry, "0001-01-01T00:00:00");
  const synced = await waitFor(async () => {
    const z = (await c.call<{ zones: Record<string, unknown>[] }>("zones/list")).zones.find((x) => x.name === "emrsn.org")!;
    return z.isExpired === false ? z : undefined;
  });
  assert.equal(synced.soaSerial, 2026041901);
  const opts = await c.call<Record<string, unknown>>("zones/options/get", { zone: "emrsn.org" });
  assert.deepEqual(opts.primaryNameServerAddresses, [PRIMARY_TRANSFER_HOST]);
  assert.equal(opts.primaryZoneTransferProtocol, "Tcp");
});

test("a record change bumps the primary's serial and resync brings the replica up to it", async () => {
  const p = client(0);
  await p.call("zones/records/add", { domain: "newbox.viktorbarzin.lan", zone: "viktorbarzin.lan", type: "A", ipAddress: "10.0.20.150", ttl: 300 }, { method: "POST" });
  const primarySerial = (await p.call<{ zones: Record<string, unknown>[] }>("zones/list")).zones.find((z) => z.name === "viktorbarzin.lan")!.soaSerial as number;
  assert.ok(primarySerial > 2026111901);
  const recs = await p.call<{ records: { rData: { ipAddress: string } }[] }>("zones/records/get", { domain: "newbox.viktorbarzin.lan" });
  assert.equal(recs.records[0].rData.ipAddress, "10.0.20.150");
  const s = client(1);
  await s.call("zones/resync", { zone: "viktorbarzin.lan" }, { method: "POST" });
  const serial = await waitFor(async () => {
    const z = (await s.call<{ zones: Record<string, unknown>[] }>("zones/list")).zones.find((x) => x.name === "viktorbarzin.lan")!;
    return z.soaSerial === primarySerial ? z.soaSerial : undefined;
  });
  assert.equal(serial, primarySerial);
  await assert.rejects(p.call("zones/resync", { zone: "viktorbarzin.lan" }, { method: "POST" }), /Only Secondary/);
});

test("creating an existing zone errors with the exact text; with the primary down the SOA probe error wins", async () => {
  await assert.rejects(
    client(2).call("zones/create", { zone: "viktorbarzin.lan", type: "Secondary", primaryNameServerAddresses: PRIMARY_TRANSFER_HOST }, { method: "POST" }),
    (err: TechnitiumError) => err.kind === "error" && /Zone already exists: viktorbarzin\.lan$/.test(err.message),
  );
  await twin.setFault("primary", { down: true });
  try {
    await assert.rejects(
      client(2).call("zones/create", { zone: "viktorbarzin.lan", type: "Secondary", primaryNameServerAddresses: PRIMARY_TRANSFER_HOST }, { method: "POST" }),
      /failed to resolve the request 'viktorbarzin\.lan SOA IN'/,
    );
    await assert.rejects(client(0).call("zones/list", {}, { retries: 0 }), (e: TechnitiumError) => e.kind === "unreachable");
  } finally {
    await twin.setFault("primary", null);
  }
  assert.equal((await client(0).call<{ zones: unknown[] }>("zones/list")).zones.length > 0, true);
});

test("zones/delete removes a zone; an unknown zone errors", async () => {
  const t = client(2);
  await t.call("zones/delete", { zone: "30.0.10.in-addr.arpa" }, { method: "POST" });
  await assert.rejects(t.call("zones/delete", { zone: "30.0.10.in-addr.arpa" }, { method: "POST" }), /No such zone was found: 30\.0\.10\.in-addr\.arpa/);
  await assert.rejects(t.call("zones/delete", { zone: "localhost" }, { method: "POST" }), /internal/);
});

test("apps/list shows the installed apps with their class paths", async () => {
  const { apps } = await client(0).call<{ apps: { name: string; dnsApps: { classPath: string }[] }[] }>("apps/list");
  const classes = apps.flatMap((a) => a.dnsApps.map((d) => d.classPath)).sort();
  assert.deepEqual(classes, ["DnsRebindingProtection.App", "SplitHorizon.AddressTranslation", "SplitHorizon.SimpleAddress", "SplitHorizon.SimpleCNAME"], "14.3: no Query Logs (PostgreSQL) app (15.0+)");
});

test("app config quirks: stored as sent, patched on restart, required keys, CIDR validation, empty deletes", async () => {
  const c = client(2);
  const partial = JSON.stringify({ networkGroupMap: { "192.168.1.0/24": "lan" }, groups: [{ name: "lan", enabled: true, translateReverseLookups: false, externalToInternalTranslation: { "176.12.22.76": "10.0.20.200" } }] });
  await c.call("apps/config/set", { name: "Split Horizon", config: partial }, { method: "POST" });
  assert.equal((await c.call<{ config: string }>("apps/config/get", { name: "Split Horizon" })).config, partial, "the file holds what was sent");
  twin.restart("tertiary");
  const patched = (await c.call<{ config: string }>("apps/config/get", { name: "Split Horizon" })).config;
  assert.notEqual(patched, partial);
  const parsed = JSON.parse(patched);
  assert.equal(parsed.enableAddressTranslation, false, "sample block appended with translation off");
  assert.deepEqual(parsed.domainGroupMap, { "example.com": "local1" });
  assert.ok(parsed.groups.some((g: { name: string }) => g.name === "local3"));

  const before = (await c.call<{ config: string }>("apps/config/get", { name: "DNS Rebinding Protection" })).config;
  assert.doesNotThrow(() => JSON.parse(before), "14.3's stored config is strict JSON (the hand-edited comment exists only on 15.x)");
  const noEnabled = { enableAddressTranslation: true, domainGroupMap: {}, networkGroupMap: {}, groups: [{ name: "lan", translateReverseLookups: false }] };
  await assert.rejects(c.call("apps/config/set", { name: "Split Horizon", config: JSON.stringify(noEnabled) }, { method: "POST" }), /not present in the dictionary/);
  assert.equal((await c.call<{ config: string }>("apps/config/get", { name: "Split Horizon" })).config, patched, "old file stays on error");
  const badCidr = { enableAddressTranslation: true, domainGroupMap: {}, networkGroupMap: { "192.168.1.0/33": "lan" }, groups: [] };
  await assert.rejects(c.call("apps/config/set", { name: "Split Horizon", config: JSON.stringify(badCidr) }, { method: "POST" }), /192\.168\.1\.0\/33/);
  const badPair = { enableAddressTranslation: true, domainGroupMap: {}, networkGroupMap: {}, groups: [{ name: "x", enabled: true, translateReverseLookups: false, externalToInternalTranslation: { "1.2.3.0/24": "10.0.0.4" } }] };
  await assert.rejects(c.call("apps/config/set", { name: "Split Horizon", config: JSON.stringify(badPair) }, { method: "POST" }), /same address family and prefix length/);
  await assert.rejects(c.call("apps/config/set", { name: "Split Horizon" }, { method: "POST" }), /Parameter 'config' missing\./);
  await assert.rejects(c.call("apps/config/set", { name: "Nope", config: "{}" }, { method: "POST" }), /DNS application was not found: Nope/);
  await c.call("apps/config/set", { name: "DNS Rebinding Protection", config: "" }, { method: "POST" });
  assert.equal((await c.call<{ config: string | null }>("apps/config/get", { name: "DNS Rebinding Protection" })).config, null);
});

test("settings: secrets are in settings/get; forwarders without forwarderProtocol reset it to Udp", async () => {
  const c = client(0);
  const s = await c.call<Record<string, unknown>>("settings/get");
  assert.equal(s.cacheMinimumRecordTtl, 60);
  assert.equal(s.forwarderProtocol, "Https");
  assert.ok(JSON.stringify(s.tsigKeys).includes("sharedSecret"), "the raw response carries TSIG secrets (dnsdeck must filter them)");
  const after1 = await c.call<Record<string, unknown>>("settings/set", { forwarders: "1.1.1.1,1.0.0.1" }, { method: "POST" });
  assert.equal(after1.forwarderProtocol, "Udp");
  assert.deepEqual(after1.forwarders, ["1.1.1.1", "1.0.0.1"]);
  const after2 = await c.call<Record<string, unknown>>("settings/set", { forwarders: "1.1.1.1", forwarderProtocol: "HttpsJson", cacheMinimumRecordTtl: 30 }, { method: "POST" });
  assert.equal(after2.forwarderProtocol, "Https");
  assert.equal(after2.cacheMinimumRecordTtl, 30);
  await assert.rejects(c.call("settings/set", { serveStaleResetTtl: 5 }, { method: "POST" }), /between 10 and 900/);
  const t = await client(2).call<Record<string, unknown>>("settings/get");
  assert.equal(t.cacheMinimumRecordTtl, 10, "the tertiary's cache settings are not yet the homelab's");
  // JSON body form, token in the query string
  const res = await fetch(`${url(2)}/api/settings/set?token=${tok(2)}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ cacheMinimumRecordTtl: 60, cacheMaximumEntries: 100000 }) });
  const j = await res.json();
  assert.equal(j.response.cacheMinimumRecordTtl, 60);
});

test("faults: slow, errors on a path, invalid token", async () => {
  await twin.setFault("secondary", { delayMs: 300 });
  const t0 = Date.now();
  await client(1).call("zones/list");
  assert.ok(Date.now() - t0 >= 290);
  await twin.setFault("secondary", { errorPath: "^/api/zones/list$", errorMessage: "boom" });
  await assert.rejects(client(1).call("zones/list"), (e: TechnitiumError) => e.kind === "error" && /boom/.test(e.message));
  const j = JSON.parse((await raw(1, "/api/zones/list", { token: tok(1) })).text);
  assert.equal(j.status, "error");
  assert.ok("stackTrace" in j, "14.x error bodies include stackTrace");
  await twin.setFault("secondary", { tokenInvalid: true });
  await assert.rejects(client(1).call("settings/get"), (e: TechnitiumError) => e.kind === "invalid-token");
  await twin.setFault("secondary", null);
  await client(1).call("settings/get");
});

test("dashboard stats count zones including internal ones", async () => {
  const { stats } = await client(0).call<{ stats: Record<string, number> }>("dashboard/stats/get", { type: "LastHour" });
  const { zones } = await client(0).call<{ zones: unknown[] }>("zones/list");
  assert.equal(stats.zones, zones.length);
  for (const k of ["totalQueries", "totalNoError", "totalNxDomain", "totalCached", "totalClients", "cachedEntries"]) assert.equal(typeof stats[k], "number", k);
});

test("SOA refresh: replicas behind the primary catch up on the refresh timer; a zone the primary lost fails to sync", async () => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "tech-refresh-"));
  const t = await startTechnitiumTwin({ stateDir: d, refreshMs: 300 });
  try {
    const sec = new TechnitiumClient({ name: "secondary", url: t.instances[1].url, primary: false }, t.instances[1].token);
    const ter = new TechnitiumClient({ name: "tertiary", url: t.instances[2].url, primary: false }, t.instances[2].token);
    const serial = await waitFor(async () => {
      const z = (await sec.call<{ zones: Record<string, unknown>[] }>("zones/list")).zones.find((x) => x.name === "viktorbarzin.lan")!;
      return z.soaSerial === 2026111901 ? z.soaSerial : undefined;
    });
    assert.equal(serial, 2026111901);
    const stale = (await ter.call<{ zones: Record<string, unknown>[] }>("zones/list")).zones.find((x) => x.name === "30.0.10.in-addr.arpa")!;
    assert.equal(stale.syncFailed, true);
  } finally {
    await t.stop();
    fs.rmSync(d, { recursive: true, force: true });
  }
});
