import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import * as k8s from "@kubernetes/client-node";
import { resetEnvForTests } from "@/server/env";
import { startKubeTwin, type KubeTwin } from "@/twin/kube/index";
import { forgetEndpoints, resolveEndpoint, serviceOfHost } from "../endpoint";
import { TechnitiumError } from "../errors";
import { TechnitiumClient } from "../transport";

// dnsdeck reaches Technitium by the Service's ClusterIP read from the Kubernetes API, never through the cluster DNS
// it patches (issue 15). The Service names used here do not resolve on this machine at all: a call that succeeds went
// by the API's address.

let twin: KubeTwin;
let dir: string;
let server: http.Server;
let port: number;
const seen: string[] = [];

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "dnsdeck-endpoint-"));
  twin = await startKubeTwin({ stateDir: dir, speed: 5, cronSpeed: 0 });
  Object.assign(process.env, { NODE_ENV: "test", AUTH_MODE: "demo", DATABASE_URL: "postgresql://unused@127.0.0.1:1/unused", KUBECONFIG: twin.kubeconfigPath });
  for (const n of ["PRIMARY", "SECONDARY", "TERTIARY"]) process.env[`TECHNITIUM_TOKEN_${n}`] ??= "t";
  resetEnvForTests();
  // Technitium's API answer shape for a call that needs no state
  server = http.createServer((req, res) => {
    seen.push(`${req.headers.host} ${req.url?.split("?")[0]}`);
    res.setHeader("content-type", "application/json");
    res.end(JSON.stringify({ status: "ok", response: { version: "14.3" } }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  port = (server.address() as AddressInfo).port;
});
after(async () => {
  server.close();
  await twin.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function clusterIpOf(name: string): Promise<string> {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(twin.kubeconfigPath);
  const svc = await kc.makeApiClient(k8s.CoreV1Api).readNamespacedService({ namespace: "technitium", name });
  return svc.spec!.clusterIP!;
}

test("Service names are recognised in both cluster forms; anything else is left alone", () => {
  assert.deepEqual(serviceOfHost("technitium-web.technitium.svc.cluster.local"), { name: "technitium-web", namespace: "technitium" });
  assert.deepEqual(serviceOfHost("technitium-web.technitium.svc"), { name: "technitium-web", namespace: "technitium" });
  assert.equal(serviceOfHost("10.96.0.53"), null);
  assert.equal(serviceOfHost("dns.viktorbarzin.lan"), null);
  assert.equal(serviceOfHost("technitium-web.technitium"), null, "a search-list short name would itself need cluster DNS");
});

test("a call to technitium-web.technitium.svc.cluster.local goes to the ClusterIP the API server allocated", async () => {
  forgetEndpoints();
  const ip = await clusterIpOf("technitium-web");
  assert.match(ip, /^10\.(9[6-9]|10\d|11[01])\.\d+\.\d+$/, "an address from the service CIDR 10.96.0.0/12");
  const map = new Map([[`${ip}:5380`, `127.0.0.1:${port}`]]);
  const client = new TechnitiumClient({ name: "primary", url: "http://technitium-web.technitium.svc.cluster.local:5380", primary: true }, "tok", 3000, fetch, (u) => resolveEndpoint(u, { addressMap: map }));
  const before = seen.length;
  const r = await client.call<{ version: string }>("user/session/get");
  assert.equal(r.version, "14.3");
  assert.equal(seen.length, before + 1);
  assert.equal(seen.at(-1), `127.0.0.1:${port} /api/user/session/get`);
  const e = await resolveEndpoint("http://technitium-web.technitium.svc.cluster.local:5380", { addressMap: map });
  assert.equal(e.via, `ClusterIP ${ip} of Service technitium/technitium-web`);
});

test("a Service the API does not know falls back to DNS, and the failure says so", async () => {
  forgetEndpoints();
  const client = new TechnitiumClient({ name: "ghost", url: "http://no-such-web.technitium.svc.cluster.local:5380", primary: false }, "tok", 3000, fetch, (u) => resolveEndpoint(u, { addressMap: new Map() }));
  await assert.rejects(client.call("user/session/get", {}, { retries: 0 }), (e: unknown) => {
    assert.ok(e instanceof TechnitiumError, String(e));
    assert.match(e.message, /cannot reach http:\/\/no-such-web\.technitium\.svc\.cluster\.local:5380/);
    assert.match(e.message, /via DNS \(the Kubernetes API did not give Service technitium\/no-such-web's ClusterIP\)/);
    return true;
  });
});

test("a re-created Service's new address is used once the cached one expires", async () => {
  forgetEndpoints();
  let ip = "10.96.1.1";
  const read = async () => ip;
  const t0 = Date.now();
  assert.match((await resolveEndpoint("http://a.b.svc:5380", { read, addressMap: new Map(), now: t0 })).url, /^http:\/\/10\.96\.1\.1:5380$/);
  ip = "10.96.2.2";
  assert.match((await resolveEndpoint("http://a.b.svc:5380", { read, addressMap: new Map(), now: t0 + 30_000 })).url, /10\.96\.1\.1/, "within a minute: cached");
  assert.match((await resolveEndpoint("http://a.b.svc:5380", { read, addressMap: new Map(), now: t0 + 61_000 })).url, /10\.96\.2\.2/);
});

test("an API that does not answer keeps the address it gave before (asked again 10 s later); one that says the Service is gone does not", async () => {
  forgetEndpoints();
  let answer: () => Promise<string | null> = async () => "10.96.1.1";
  let reads = 0;
  const read = () => (reads++, answer());
  const at = (now: number) => resolveEndpoint("http://a.b.svc:5380", { read, addressMap: new Map(), now });
  const t0 = Date.now();
  assert.match((await at(t0)).url, /10\.96\.1\.1/);
  answer = () => Promise.reject(new Error("timeout"));
  assert.match((await at(t0 + 61_000)).url, /10\.96\.1\.1/, "a timeout: the known address, not DNS");
  assert.equal(reads, 2);
  assert.match((await at(t0 + 65_000)).url, /10\.96\.1\.1/);
  assert.equal(reads, 2, "not asked again within 10 s");
  answer = async () => null;
  const gone = await at(t0 + 72_000);
  assert.equal(reads, 3);
  assert.match(gone.via, /^DNS /, "the API says there is no such Service: its name, through DNS");
});

test("calls made at once share one lookup", async () => {
  forgetEndpoints();
  let reads = 0;
  const read = async () => (reads++, await new Promise((r) => setTimeout(r, 20)), "10.96.3.3");
  const all = await Promise.all([1, 2, 3].map(() => resolveEndpoint("http://c.d.svc:5380", { read, addressMap: new Map() })));
  assert.ok(all.every((e) => /10\.96\.3\.3/.test(e.url)));
  assert.equal(reads, 1);
});
