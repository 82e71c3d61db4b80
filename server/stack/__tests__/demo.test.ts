// The demo's first story on both twins (Kubernetes API twin + DNS chain twin, no fakes): deploy NodeLocal DNSCache in
// transparent mode through the HTTP-facing verb, watch 5/5 nodes answer through their cache, and see the pods'
// resolver (10.96.0.10 on each node) answered by the node cache, even with every CoreDNS pod silent.
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import type { TestDatabase } from "@/server/testing/db";
import { stackTestEnv } from "./helpers";
import { NODES } from "./harness";

const root = path.resolve(import.meta.dirname, "../../..");
const missing = ["twin/kube/index.ts", "twin/dns/stack.ts"].find((p) => !existsSync(path.join(root, p)));

describe("demo: NodeLocal DNSCache on the twins", { skip: missing ? `${missing} is not built yet` : false }, () => {
  let stateDir: string;
  let kube: { url: string; kubeconfigPath: string; token: string; stop(): Promise<void> };
  let dnsStack: { dns: { setFault(hop: string, f: object | null): void; refresh(): Promise<void> }; env: Record<string, string>; stop(): Promise<void> };
  let dbh: TestDatabase;
  let apply: typeof import("../apply/start") & typeof import("../apply/read");
  let probe: typeof import("../probe");
  let k8s: typeof import("@/k8s/index");

  before(async () => {
    stateDir = mkdtempSync(path.join(tmpdir(), "dnsdeck-stack-demo-"));
    const { startKubeTwin } = await import("@/twin/kube/index");
    kube = await startKubeTwin({ stateDir: path.join(stateDir, "kube"), speed: 25 });
    const { startDnsStack } = await import("@/twin/dns/stack");
    dnsStack = await startDnsStack({ stateDir, kubeUrl: kube.url, kubeToken: kube.token, port: 0, reloadMs: 200 });
    dbh = await stackTestEnv({ ...dnsStack.env, KUBECONFIG: kube.kubeconfigPath, DNSDECK_DS_MIN_READY_SECONDS: "0" });
    apply = { ...(await import("../apply/start")), ...(await import("../apply/read")) };
    probe = await import("../probe");
    k8s = await import("@/k8s/index");
  });
  after(async () => {
    await dnsStack?.stop();
    await kube?.stop();
    const { db } = await import("@/server/db/client");
    await db().$disconnect();
    await dbh?.drop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  const ask = (server: string, via: string) => probe.probeDns({ name: "kubernetes.default.svc.cluster.local", type: "A", server, via, timeoutMs: 800 });

  test("before: no node cache answers, and pods' DNS fails as soon as CoreDNS does", async () => {
    assert.equal((await ask("169.254.20.10", "k8s-node1")).ok, false);
    assert.equal((await ask("10.96.0.10", "k8s-node1")).ok, true, "kube-proxy → CoreDNS answers");
    dnsStack.dns.setFault("coredns", { drop: true });
    try {
      assert.equal((await ask("10.96.0.10", "k8s-node1")).ok, false, "with every CoreDNS pod silent, pods get no answer");
    } finally {
      dnsStack.dns.setFault("coredns", null);
    }
  });

  test("deploy NodeLocal in transparent mode: 5/5 nodes answer through their cache; pods' DNS is now answered by it", async () => {
    const keys = k8s.renderComponent(k8s.defaultStackConfig, "nodelocal").map((r) => k8s.objectKey(r.object));
    const run = await (await apply.startApply({ user: "alice", objects: keys, rollout: { timeoutMs: 60_000, pollMs: 200, healthGraceMs: 5000, probeTimeoutMs: 800, verifyWindowMs: 15_000 } })).done;
    assert.equal(run.status, "ok", run.error ?? JSON.stringify(run.rollout));
    const ds = run.rollout!.workloads.find((w) => w.kind === "DaemonSet")!;
    assert.equal(ds.healthy, 5);
    assert.deepEqual(ds.nodes!.filter((n) => n.healthy).map((n) => n.node).sort(), NODES);
    assert.ok(run.rollout!.verify?.ok, JSON.stringify(run.rollout!.verify));

    // transparent mode: pods keep 10.96.0.10 and are now answered by the node cache — even with every CoreDNS pod
    // silent, a name asked once is still answered on every node (the seed's resilience check)
    for (const node of NODES) assert.ok((await ask("10.96.0.10", node)).ok, node);
    dnsStack.dns.setFault("coredns", { drop: true });
    try {
      for (const node of NODES) {
        const r = await ask("10.96.0.10", node);
        assert.ok(r.ok, `${node}: ${r.detail}`);
      }
    } finally {
      dnsStack.dns.setFault("coredns", null);
    }
  });

  test("SIGTERM while the DaemonSet rolls out: the run hands over as interrupted (no pause), and a live view reads back what the cluster holds", async () => {
    const { lifecycle } = await import("@/server/lifecycle");
    const { readObject } = await import("@/server/kube/objects");
    const config = structuredClone(k8s.defaultStackConfig);
    config.nodelocal.resources = { requests: { cpu: "30m", memory: "32Mi" }, limits: { memory: "128Mi" } }; // a new pod template
    const keys = k8s.renderComponent(config, "nodelocal").map((r) => k8s.objectKey(r.object));
    let sawRollout = false;
    try {
      const started = await apply.startApply({
        user: "alice",
        objects: keys,
        saveConfig: { config, note: "cpu 30m" },
        rollout: {
          timeoutMs: 60_000,
          pollMs: 200,
          healthGraceMs: 5000,
          probeTimeoutMs: 800,
          verifyWindowMs: 15_000,
          // the signal arrives while the DaemonSet is being watched (start.mjs sets this flag on SIGTERM)
          shouldStop: () => {
            if (!sawRollout) {
              sawRollout = true;
              lifecycle().draining = true;
            }
            return false;
          },
        },
      });
      const run = await started.done;
      assert.ok(sawRollout, "the rollout was watched");
      assert.equal(run.status, "interrupted", run.error ?? "");
      assert.match(run.error ?? "", /^handed over: dnsdeck was shutting down .* stopped while watching the rollout of DaemonSet kube-system\/node-local-dns/);
      const ds = run.steps.find((s) => s.kind === "DaemonSet")!;
      assert.equal(ds.status, "interrupted");
      assert.match(ds.message ?? "", /the rollout goes on in the cluster/);
      // a handed-over rollout is not paused: the cluster goes on replacing pods
      const live = await readObject({ apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: "node-local-dns", namespace: "kube-system" } });
      assert.equal((live?.spec as { updateStrategy?: { type?: string } }).updateStrategy?.type, "RollingUpdate");
      lifecycle().draining = false;
      const seen = await apply.getApply(run.id);
      const rb = seen.rollout?.readBack;
      assert.ok(rb, "read back on the first view");
      assert.equal(rb.objects.find((o) => o.key === ds.key)?.state, "in-sync", JSON.stringify(rb));
      assert.deepEqual(rb.remaining, rb.objects.filter((o) => o.state !== "in-sync").map((o) => o.key));
    } finally {
      lifecycle().draining = false;
    }
  });
});
