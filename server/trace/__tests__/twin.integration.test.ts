import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/**
 * Traces through the homelab twin (Kubernetes API + DNS + Technitium twins) with the app's real dependencies:
 * the live node list, pod IPs from the twin's pods, the DNS client through the twin's DNS_ADDRESS_MAP.
 * Skipped when the twin launcher (twin/main.ts) is not in this checkout.
 */
const root = path.resolve(import.meta.dirname, "../../..");
const twinMain = path.join(root, "twin", "main.ts");
const present = existsSync(twinMain);

let twin: { stop(): Promise<unknown>; appEnv: Record<string, string> } | undefined;
let stateDir = "";
let traceName: typeof import("../trace").traceName;
let schema: typeof import("../schemas").traceInputSchema;

before(async () => {
  if (!present) return;
  stateDir = mkdtempSync(path.join(os.tmpdir(), "dnsdeck-trace-twin-"));
  const mod = await import(/* @vite-ignore */ twinMain);
  twin = await mod.startTwin({ stateDir, speed: 4 });
  Object.assign(process.env, { DATABASE_URL: "postgresql://postgres@127.0.0.1:1/none", AUTH_MODE: "demo", ...twin!.appEnv });
  (await import("@/server/env")).resetEnvForTests();
  traceName = (await import("../trace")).traceName;
  schema = (await import("../schemas")).traceInputSchema;
});
after(async () => {
  await twin?.stop();
  if (stateDir) rmSync(stateDir, { recursive: true, force: true });
});

const data = (r: { hops: { stage: string; answers: { data: string }[] }[] }, stage: string) => r.hops.filter((h) => h.stage === stage).flatMap((h) => h.answers.map((a) => a.data));

test("Split Horizon on the twin: a LAN client gets the internal address, a pod the public one", { skip: !present && "twin/main.ts not present" }, async () => {
  const lan = await traceName(schema.parse({ name: "immich.viktorbarzin.me", clientClass: "lan" }));
  const pod = await traceName(schema.parse({ name: "immich.viktorbarzin.me", clientClass: "pod-public" }));
  assert.ok(data(lan, "techpods").includes("10.0.20.200"), JSON.stringify(lan.hops));
  assert.ok(data(pod, "coredns").includes("176.12.22.76"), JSON.stringify(pod.hops));
  assert.ok(pod.hops.every((h) => h.errorKind !== "timeout" || h.error), "every hop reports");
});

test("an internal name from a pod on a chosen node is answered by Technitium", { skip: !present && "twin/main.ts not present" }, async () => {
  const r = await traceName(schema.parse({ name: "idrac.viktorbarzin.lan", clientClass: "pod-internal", node: "k8s-node2" }));
  assert.equal(r.node, "k8s-node2");
  assert.ok(data(r, "techpods").includes("192.168.1.4"), JSON.stringify(r.hops));
  assert.equal(r.expected?.answers.join(), "A 192.168.1.4");
});
