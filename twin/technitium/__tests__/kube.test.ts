// The Technitium twin following its pods in the K8s twin (skipped while twin/kube/index.ts does not exist).
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startTechnitiumTwin } from "../index";
import { TechnitiumClient, TechnitiumError } from "../../../server/technitium/client";
import { kubeFetch } from "../../kube/https-fetch";

const kubeIndex = path.resolve(import.meta.dirname, "../../kube/index.ts");
const skip = !fs.existsSync(kubeIndex) && "twin/kube/index.ts is not there yet";

async function waitFor<T>(fn: () => Promise<T | undefined>, ms = 8000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 100));
  }
}

test("deleting an instance's pod takes its API down; the new pod brings it back restarted (config patched)", { skip, timeout: 19000 }, async () => {
  const { startKubeTwin } = (await import(kubeIndex)) as { startKubeTwin(o: { stateDir: string; speed?: number }): Promise<{ url: string; token: string; stop(): Promise<void> }> };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tech-kube-"));
  const kube = await startKubeTwin({ stateDir: path.join(dir, "kube"), speed: 20 });
  const tech = await startTechnitiumTwin({ stateDir: path.join(dir, "tech"), kubeUrl: kube.url, kubeToken: kube.token, kubePollMs: 100 });
  try {
    const sec = tech.instances[1];
    const c = new TechnitiumClient({ name: "secondary", url: sec.url, primary: false }, sec.token, 2000);
    await c.call("apps/config/set", { name: "DNS Rebinding Protection", config: JSON.stringify({ privateNetworks: ["10.0.0.0/8"], privateDomains: ["home.arpa"] }) }, { method: "POST" });
    const headers = { authorization: `Bearer ${kube.token}` };
    const pods = await waitFor(async () => {
      const l = await (await kubeFetch(`${kube.url}/api/v1/namespaces/technitium/pods?labelSelector=app%3Dtechnitium-secondary`, { headers })).json();
      return l.items.length ? l.items : undefined;
    });
    const del = await kubeFetch(`${kube.url}/api/v1/namespaces/technitium/pods/${pods[0].metadata.name}`, { method: "DELETE", headers });
    assert.ok(del.ok, `pod delete: HTTP ${del.status}`);
    await waitFor(async () => {
      try {
        await c.call("session/get", {}, { retries: 0 });
        return undefined;
      } catch (err) {
        return (err as TechnitiumError).kind === "unreachable" ? true : undefined;
      }
    });
    const cfg = await waitFor(async () => (await c.call<{ config: string }>("apps/config/get", { name: "DNS Rebinding Protection" }, { retries: 0 })).config);
    assert.match(cfg, /"bypassNetworks": \[\]/, "after the restart the app patched the missing key into the file");
  } finally {
    await tech.stop();
    await kube.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
