// The DNS chain driven by the Kubernetes API twin (skipped while twin/kube/index.ts does not exist).
import { test } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { query, parseAddressMap } from "../../../server/dns/index";
import { startTechnitiumTwin } from "../../technitium/index";
import { startDnsTwin } from "../index";
import { sleep } from "./helpers";
import { kubeFetch } from "../../kube/https-fetch";

const kubeIndex = path.resolve(import.meta.dirname, "../../kube/index.ts");
const skip = !fs.existsSync(kubeIndex) && "twin/kube/index.ts is not there yet";

test("a Corefile change made through the K8s API changes what CoreDNS answers", { skip, timeout: 40000 }, async () => {
  const { startKubeTwin } = (await import(kubeIndex)) as { startKubeTwin(o: { stateDir: string; speed?: number }): Promise<{ url: string; token: string; stop(): Promise<void> }> };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dns-kube-"));
  const kube = await startKubeTwin({ stateDir: path.join(dir, "kube"), speed: 20 });
  const tech = await startTechnitiumTwin({ stateDir: path.join(dir, "tech") });
  let dns: Awaited<ReturnType<typeof startDnsTwin>> | undefined;
  try {
    dns = await startDnsTwin({ kubeUrl: kube.url, kubeToken: kube.token, technitium: tech.instances, reloadMs: 400, port: 0, forwardTimeoutMs: 700 });
    const map = parseAddressMap(dns.addressMap);
    const ask = (name: string, server: string) => query({ name, type: "A", server, addressMap: map, timeoutMs: 3000 });
    // wait until the CoreDNS pods are Ready in the K8s twin and the chain answers
    const end = Date.now() + 10000;
    let first;
    for (;;) {
      first = await ask("idrac.viktorbarzin.lan", "10.96.0.10").catch((e) => e);
      if (first?.rcode === "NOERROR" || Date.now() > end) break;
      await sleep(200);
    }
    assert.equal(first.rcode, "NOERROR", `chain answers through the K8s twin's CoreDNS pods (${first.message ?? first.rcode})`);
    assert.deepEqual(first.answers.map((a: { data: string }) => a.data), ["192.168.1.4"]);
    assert.ok(dns.hops().some((h) => h.hop.startsWith("coredns:") && h.address.startsWith("10.244.")), "CoreDNS pods listen on their pod IPs");
    assert.equal((await ask("a.b.viktorbarzin.lan", "10.96.0.10")).rcode, "NXDOMAIN");

    // change the template through the API: single labels now NXDOMAIN too
    const cmUrl = `${kube.url}/api/v1/namespaces/kube-system/configmaps/coredns`;
    const cm = await (await kubeFetch(cmUrl, { headers: { authorization: `Bearer ${kube.token}` } })).json();
    const changed = String(cm.data.Corefile).replace(".*\\..*\\.viktorbarzin\\.lan\\.$", ".*\\.viktorbarzin\\.lan\\.$");
    assert.notEqual(changed, cm.data.Corefile);
    const put = await kubeFetch(`${cmUrl}?fieldManager=dnsdeck-test`, {
      method: "PATCH",
      headers: { authorization: `Bearer ${kube.token}`, "content-type": "application/merge-patch+json" },
      body: JSON.stringify({ data: { Corefile: changed } }),
    });
    assert.equal(put.status, 200);
    const until = Date.now() + 8000;
    let after;
    for (;;) {
      after = await ask("truenas.viktorbarzin.lan", "10.96.0.10");
      if (after.rcode === "NXDOMAIN" || Date.now() > until) break;
      await sleep(200);
    }
    assert.equal(after.rcode, "NXDOMAIN");
  } finally {
    await dns?.stop();
    await tech.stop();
    await kube.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
