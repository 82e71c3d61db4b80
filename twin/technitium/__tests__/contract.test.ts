// Contract tests for the Technitium HTTP API: the same read-only checks run against the twin and, when
// TWIN_CONTRACT_TECHNITIUM_URL and TWIN_CONTRACT_TECHNITIUM_TOKEN are set, against a real Technitium (never writes;
// the one create call targets a zone that already exists and must fail).
import { describe, test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startTechnitiumTwin, type TechnitiumTwin } from "../index";

interface Target {
  url: string;
  token: string;
}

async function call(t: Target, p: string, params: Record<string, string> = {}, opts: { token?: string | null; method?: "GET" | "POST" } = {}) {
  const q = new URLSearchParams(params);
  if (opts.token !== null) q.set("token", opts.token ?? t.token);
  const method = opts.method ?? "GET";
  const res = await fetch(method === "GET" ? `${t.url}${p}?${q}` : `${t.url}${p}`, {
    method,
    headers: method === "POST" ? { "content-type": "application/x-www-form-urlencoded" } : undefined,
    body: method === "POST" ? q.toString() : undefined,
    signal: AbortSignal.timeout(15000),
  });
  const text = await res.text();
  return { status: res.status, text, json: text ? (JSON.parse(text) as Record<string, any>) : undefined };
}

function contract(name: string, target: () => Target) {
  describe(`Technitium API contract: ${name}`, () => {
    test("invalid token: HTTP 200, status invalid-token, server and errorMessage present", async () => {
      const r = await call(target(), "/api/zones/list", {}, { token: "0".repeat(64) });
      assert.equal(r.status, 200);
      assert.equal(r.json!.status, "invalid-token");
      assert.equal(typeof r.json!.errorMessage, "string");
      assert.equal(typeof r.json!.server, "string");
      assert.equal("response" in r.json!, false);
    });

    test("unknown path: 404 with an empty body", async () => {
      const r = await call(target(), "/api/zones/definitely-not-a-path");
      assert.equal(r.status, 404);
      assert.equal(r.text, "");
    });

    test("session/get: top-level fields and info.version", async () => {
      const r = await call(target(), "/api/user/session/get");
      assert.equal(r.json!.status, "ok");
      assert.equal(r.json!.response, undefined);
      assert.match(r.json!.info.version, /^\d+\.\d+(\.\d+)?$/);
      assert.equal(typeof r.json!.info.dnsServerDomain, "string");
      assert.equal(typeof r.json!.info.permissions.Zones.canView, "boolean");
    });

    test("zones/list: per-type field presence", async () => {
      const r = await call(target(), "/api/zones/list", { unknownParameterIgnored: "1" });
      assert.equal(r.json!.status, "ok");
      const zones = r.json!.response.zones as Record<string, unknown>[];
      assert.ok(zones.length > 0);
      for (const z of zones) {
        for (const k of ["name", "type", "lastModified", "disabled", "soaSerial"]) assert.ok(k in z, `${z.name}: ${k}`);
        assert.equal("internal" in z, z.type === "Primary", `${z.name}: internal only on Primary`);
        if (["Secondary", "Stub", "SecondaryForwarder", "SecondaryCatalog"].includes(String(z.type)))
          for (const k of ["expiry", "isExpired", "syncFailed"]) assert.ok(k in z, `${z.name}: ${k}`);
      }
      assert.ok(zones.some((z) => z.internal === true && z.name === "localhost"));
      assert.equal("totalPages" in r.json!.response, false, "no paging fields without pageNumber");
    });

    test("missing parameter and duplicate create errors", async () => {
      const r = await call(target(), "/api/zones/options/get");
      assert.equal(r.json!.status, "error");
      assert.match(r.json!.errorMessage, /^Parameter '(zone|domain)' missing\.$/);
      const zones = (await call(target(), "/api/zones/list")).json!.response.zones as { name: string; type: string; internal?: boolean }[];
      const existing = zones.find((z) => z.type === "Primary" && !z.internal);
      if (existing) {
        const dup = await call(target(), "/api/zones/create", { zone: existing.name, type: "Primary" }, { method: "POST" });
        assert.equal(dup.json!.status, "error");
        assert.equal(dup.json!.errorMessage, `Zone already exists: ${existing.name}`);
      }
    });

    test("zones/options/get on a user zone has the transfer fields", async () => {
      const zones = (await call(target(), "/api/zones/list")).json!.response.zones as { name: string; type: string; internal?: boolean }[];
      const z = zones.find((x) => !x.internal && (x.type === "Primary" || x.type === "Secondary"));
      if (!z) return;
      const r = await call(target(), "/api/zones/options/get", { zone: z.name });
      assert.equal(r.json!.status, "ok");
      for (const k of ["name", "type", "disabled", "zoneTransfer", "zoneTransferNetworkACL", "notify", "queryAccess"]) assert.ok(k in r.json!.response, k);
      if (z.type === "Secondary") for (const k of ["primaryNameServerAddresses", "primaryZoneTransferProtocol", "primaryZoneTransferTsigKeyName"]) assert.ok(k in r.json!.response, k);
    });

    test("apps/list and apps/config/get shapes", async () => {
      const r = await call(target(), "/api/apps/list");
      assert.equal(r.json!.status, "ok");
      for (const a of r.json!.response.apps as { name: string; version: string; dnsApps: Record<string, unknown>[] }[]) {
        assert.equal(typeof a.version, "string");
        for (const d of a.dnsApps) for (const k of ["classPath", "description", "isPostProcessor", "isQueryLogger"]) assert.ok(k in d, `${a.name}: ${k}`);
        const cfg = await call(target(), "/api/apps/config/get", { name: a.name });
        assert.equal(cfg.json!.status, "ok");
        assert.ok(cfg.json!.response.config === null || typeof cfg.json!.response.config === "string");
      }
      const missing = await call(target(), "/api/apps/config/get", { name: "No Such App (contract test)" });
      assert.equal(missing.json!.status, "error");
      assert.match(missing.json!.errorMessage, /DNS application was not found/);
    });

    test("settings/get and dashboard stats fields", async () => {
      const s = (await call(target(), "/api/settings/get")).json!;
      assert.equal(s.status, "ok");
      for (const k of ["dnsServerDomain", "serveStale", "cacheMinimumRecordTtl", "cacheMaximumRecordTtl", "cacheMaximumEntries", "forwarders", "forwarderProtocol", "tsigKeys"]) assert.ok(k in s.response, k);
      const d = (await call(target(), "/api/dashboard/stats/get", { type: "LastHour", utc: "true" })).json!;
      assert.equal(d.status, "ok");
      for (const k of ["totalQueries", "totalNoError", "totalNxDomain", "totalCached", "totalClients", "zones", "cachedEntries"]) assert.equal(typeof d.response.stats[k], "number", k);
    });
  });
}

let twin: TechnitiumTwin;
let dir: string;
before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "tech-contract-"));
  twin = await startTechnitiumTwin({ stateDir: dir });
});
after(async () => {
  await twin.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

contract("twin", () => ({ url: twin.instances[0].url, token: twin.instances[0].token }));

const realUrl = process.env.TWIN_CONTRACT_TECHNITIUM_URL;
const realToken = process.env.TWIN_CONTRACT_TECHNITIUM_TOKEN;
if (realUrl && realToken) contract(`real ${realUrl}`, () => ({ url: realUrl.replace(/\/+$/, ""), token: realToken }));
else test("Technitium API contract: real server", { skip: "set TWIN_CONTRACT_TECHNITIUM_URL and TWIN_CONTRACT_TECHNITIUM_TOKEN to run against a real Technitium" }, () => {});
