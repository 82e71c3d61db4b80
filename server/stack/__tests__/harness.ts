// Test harness for server/stack on the Kubernetes twin (in process) with a fresh database. Each node's NodeLocal
// cache is played by a tiny DNS server reached through DNS_ADDRESS_MAP (`169.254.20.10@<node>`) that answers only
// while that node's node-local-dns pod runs, so "healthy" really is a DNS answer through dnsdeck's DNS client.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { stackTestEnv } from "./helpers";
import { kubeFetch } from "@/twin/kube/https-fetch";

const root = path.resolve(import.meta.dirname, "../../..");
export const twinEntry = path.join(root, "twin/kube/index.ts");
export const twinMissing: false | string = existsSync(twinEntry) ? false : "the Kubernetes twin (twin/kube) is not built yet";
export const NODES = ["k8s-master", "k8s-node1", "k8s-node2", "k8s-node3", "k8s-node4"];
export const fast = { timeoutMs: 30_000, pollMs: 150, healthGraceMs: 1500, probeTimeoutMs: 1000, verifyWindowMs: 3000 };

export async function startHarness() {
  const stateDir = mkdtempSync(path.join(tmpdir(), "dnsdeck-stack-"));
  const { startKubeTwin } = await import(twinEntry);
  const twin = (await startKubeTwin({ stateDir, speed: 25 })) as { url: string; kubeconfigPath: string; adminToken: string; stop(): Promise<void> };
  const { startDnsServer, reply } = await import("@/twin/dns/wire");
  const { KubeConfig, CoreV1Api, KubernetesObjectApi } = await import("@kubernetes/client-node");
  const kc = new KubeConfig();
  kc.loadFromFile(twin.kubeconfigPath);
  const coreApi = kc.makeApiClient(CoreV1Api);
  // what an admin does with kubectl (dnsdeck itself never deletes): the raw client, outside the door
  const adminObjects = KubernetesObjectApi.makeApiClient(kc);
  const dropped = new Set<string>();
  const servers: { close(): Promise<void> }[] = [];
  const answer = (req: any) => reply(req, { answers: [{ name: req.questions[0].name, type: "A", ttl: 30, class: "IN", data: "10.96.0.1" } as any] });
  const map: string[] = [];
  for (const node of NODES) {
    const s = await startDnsServer({
      host: "127.0.0.1",
      port: 0,
      label: `cache@${node}`,
      handler: async (req) => {
        if (dropped.has(node)) return null;
        const pods = await coreApi.listNamespacedPod({ namespace: "kube-system", labelSelector: "k8s-app=node-local-dns" });
        const running = pods.items.some((p) => p.spec?.nodeName === node && !p.metadata?.deletionTimestamp && p.status?.containerStatuses?.[0]?.state?.running);
        return running ? answer(req) : null;
      },
    });
    servers.push(s);
    map.push(`169.254.20.10@${node}=127.0.0.1:${s.port}`, `10.96.0.10@${node}=127.0.0.1:${s.port}`);
  }
  const cs = await startDnsServer({ host: "127.0.0.1", port: 0, label: "coredns-pods", handler: answer });
  servers.push(cs);
  map.push(`10.244.0.0/16=127.0.0.1:${cs.port}`);
  const dbh = await stackTestEnv({ KUBECONFIG: twin.kubeconfigPath, DNS_ADDRESS_MAP: map.join(","), DNSDECK_KUBE_TIMEOUT_MS: "1500", DNSDECK_DS_MIN_READY_SECONDS: "0" });
  const mods = {
    apply: { ...(await import("../apply/start")), ...(await import("../apply/read")) },
    plan: await import("../plan"),
    store: await import("../config-store"),
    lock: await import("../lock"),
    restart: await import("../restart"),
    kube: await import("@/server/kube/objects"),
    k8s: await import("@/k8s/index"),
  };
  const fault = async (f: object | null) => {
    const res = await kubeFetch(`${twin.url}/_twin/faults`, {
      method: f ? "POST" : "DELETE",
      headers: { "x-twin-admin": twin.adminToken, "content-type": "application/json" },
      body: f ? JSON.stringify(f) : undefined,
    });
    assert.ok(res.ok, `twin faults: HTTP ${res.status} ${await res.text()}`);
  };
  return {
    twin,
    dropped,
    ...mods,
    fault,
    clearFaults: () => fault(null),
    deleteObject: (o: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }) => adminObjects.delete(o).then(() => undefined),
    nodelocalKeys: () => mods.k8s.renderComponent(mods.k8s.defaultStackConfig, "nodelocal").map((r) => mods.k8s.objectKey(r.object)),
    nodePods: async () => (await mods.kube.listObjects("v1", "Pod", "kube-system", "k8s-app=node-local-dns")).filter((p: any) => !p.metadata.deletionTimestamp) as any[],
    async stop() {
      for (const s of servers) await s.close().catch(() => {});
      await twin.stop();
      const { db } = await import("@/server/db/client");
      await db().$disconnect();
      await dbh.drop();
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

export type Harness = Awaited<ReturnType<typeof startHarness>>;
