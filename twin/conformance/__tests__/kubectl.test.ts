import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startKubeTwin, type KubeTwin } from "../../kube/index";
import { CONTRACT, kubectl } from "../harness";

// Issue 11 items 5 and 6 held against the real kubectl: TLS with the kubeconfig's CA and a bearer token, table output
// for get and get -w, server-side apply with kubectl's own validation (/openapi/v3 → fieldValidation=Strict), API
// defaulting of the upstream NodeLocal manifest, rollout status and logs. With TWIN_CONTRACT_KUBECONFIG the read-only
// and dry-run checks run against that cluster instead.
const FIXTURE = path.join(import.meta.dirname, "../fixtures/nodelocaldns.yaml");
let twin: KubeTwin | undefined;
let dir: string;
let k: ReturnType<typeof kubectl>;

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "conformance-kubectl-"));
  if (CONTRACT.kubeconfig) k = kubectl(CONTRACT.kubeconfig);
  else {
    twin = await startKubeTwin({ stateDir: dir, speed: 25 });
    k = kubectl(twin.kubeconfigPath);
  }
});
after(async () => {
  await twin?.stop();
  rmSync(dir, { recursive: true, force: true });
});
const onTwin = { skip: CONTRACT.kubeconfig ? "writes objects: runs against the twin only" : false };

test("kubectl talks TLS with the kubeconfig's CA and sends its token; get prints the server's columns", async () => {
  if (twin) {
    const cfg = readFileSync(twin.kubeconfigPath, "utf8");
    assert.match(cfg, /server: https:\/\/127\.0\.0\.1:\d+/);
    assert.match(cfg, /certificate-authority-data: \S+/);
    assert.doesNotMatch(cfg, /insecure-skip-tls-verify/);
  }
  const pods = await k.run("get", "pods", "-A");
  assert.equal(pods.code, 0, pods.stderr);
  assert.match(pods.stdout.split("\n")[0], /^NAMESPACE\s+NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE$/);
  assert.match(pods.stdout, /kube-system\s+coredns-\S+\s+1\/1\s+Running\s+0\s+\S+/);
  const nodes = await k.run("get", "nodes", "-o", "wide");
  assert.match(nodes.stdout.split("\n")[0], /^NAME\s+STATUS\s+ROLES\s+AGE\s+VERSION\s+INTERNAL-IP\s+EXTERNAL-IP\s+OS-IMAGE\s+KERNEL-VERSION\s+CONTAINER-RUNTIME/);
  const svc = await k.run("get", "svc", "-n", "kube-system", "kube-dns");
  assert.match(svc.stdout, /kube-dns\s+ClusterIP\s+10\.96\.0\.10\s+<none>\s+53\/UDP,53\/TCP,9153\/TCP/);
});

test("a wrong token is refused with 401, as kubectl reports it", onTwin, async () => {
  const bad = path.join(dir, "bad-kubeconfig");
  writeFileSync(bad, readFileSync(twin!.kubeconfigPath, "utf8").replace(/token: \S+/, "token: not-the-token"));
  const r = await kubectl(bad).run("get", "ns");
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /You must be logged in to the server|Unauthorized/);
});

test("a misspelt field is refused by server-side validation (kubectl's default Strict), dropped with a warning under --validate=warn", async () => {
  const manifest = path.join(dir, "misspelt.yaml");
  writeFileSync(manifest, `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: conformance-misspelt\n  namespace: kube-system\ndata:\n  a: "1"\ndatta:\n  b: "2"\n`);
  const strict = await k.run("apply", "--server-side", "--dry-run=server", "--field-manager=conformance", "-f", manifest);
  assert.notEqual(strict.code, 0, strict.stdout);
  assert.match(strict.stderr, /\.datta: field not declared in schema/);
  const warn = await k.run("apply", "--server-side", "--dry-run=server", "--validate=warn", "--field-manager=conformance", "-f", manifest);
  assert.equal(warn.code, 0, warn.stderr);
  assert.match(warn.stderr, /Warning: \.datta: field not declared in schema/);
});

test("API defaulting seen through a server dry run: DaemonSet strategy type, Deployment strategy, serviceAccount", async () => {
  const r = await k.run("apply", "--server-side", "--dry-run=server", "--field-manager=conformance", "-f", FIXTURE, "-o", "json");
  assert.equal(r.code, 0, r.stderr);
  const list = JSON.parse(r.stdout);
  const ds = (list.items ?? [list]).find((o: { kind: string }) => o.kind === "DaemonSet");
  assert.deepEqual(ds.spec.updateStrategy, { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "10%", maxSurge: 0 } });
  assert.equal(ds.spec.template.spec.serviceAccount, "node-local-dns", "serviceAccount mirrors serviceAccountName");
  assert.equal(ds.spec.template.spec.containers[0].ports[0].hostPort, 53, "hostNetwork: hostPort defaults to containerPort");
  const dep = path.join(dir, "dep.yaml");
  writeFileSync(dep, `apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: conformance-defaults\n  namespace: default\nspec:\n  selector:\n    matchLabels: {app: c}\n  template:\n    metadata:\n      labels: {app: c}\n    spec:\n      containers:\n      - name: c\n        image: registry.k8s.io/pause:3.10\n`);
  const d = JSON.parse((await k.run("apply", "--server-side", "--dry-run=server", "--field-manager=conformance", "-f", dep, "-o", "json")).stdout);
  assert.deepEqual(d.spec.strategy, { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } });
  assert.equal(d.spec.revisionHistoryLimit, 10);
  assert.equal(d.spec.progressDeadlineSeconds, 600);
});

test("the upstream NodeLocal manifest applies server-side and rolls out; get -w streams it, logs show node-cache", onTwin, async () => {
  const watch = k.stream("get", "ds", "-n", "kube-system", "-w");
  try {
    const apply = await k.run("apply", "--server-side", "--field-manager=conformance", "-f", FIXTURE);
    assert.equal(apply.code, 0, apply.stderr);
    assert.match(apply.stdout, /daemonset\.apps\/node-local-dns serverside-applied/);
    const status = await k.run("rollout", "status", "ds/node-local-dns", "-n", "kube-system", "--timeout=60s");
    assert.equal(status.code, 0, status.stderr);
    assert.match(status.stdout, /daemon set "node-local-dns" successfully rolled out/);
    const deadline = Date.now() + 10_000;
    while (!watch.lines.some((l) => /^node-local-dns\s+5\s+5\s+5\s+5\s+5\s/.test(l)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.match(watch.lines[0], /^NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE$/);
    assert.ok(watch.lines.some((l) => /^node-local-dns\s+5\s+5\s+5\s+5\s+5\s/.test(l)), watch.lines.join("\n"));
  } finally {
    watch.stop();
  }
  const pod = (await k.run("get", "pods", "-n", "kube-system", "-l", "k8s-app=node-local-dns", "-o", "name")).stdout.split("\n")[0];
  const logs = await k.run("logs", "-n", "kube-system", pod);
  assert.equal(logs.code, 0, logs.stderr);
  assert.match(logs.stdout, /Starting node-cache image: 1\.23\.1/);
});

test("kubectl apply downloads /openapi/v3 and finds fieldValidation on the PATCH operation", async () => {
  const r = await k.run("get", "--raw", "/openapi/v3");
  assert.equal(r.code, 0, r.stderr);
  const idx = JSON.parse(r.stdout);
  const url = idx.paths["apis/apps/v1"].serverRelativeURL as string;
  const doc = JSON.parse((await k.run("get", "--raw", url)).stdout);
  const op = doc.paths["/apis/apps/v1/namespaces/{namespace}/daemonsets/{name}"].patch;
  assert.deepEqual(op["x-kubernetes-group-version-kind"], { group: "apps", version: "v1", kind: "DaemonSet" });
  assert.ok(op.parameters.some((p: { name: string; in: string }) => p.name === "fieldValidation" && p.in === "query"));
});
