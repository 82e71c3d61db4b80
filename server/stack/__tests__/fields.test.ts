import assert from "node:assert/strict";
import { test } from "node:test";
import { changedPaths, describeChanges, externalFields, isIgnoredPath, ownersOf, pathString, stripVolatile, withoutPaths, yamlDiff } from "../fields";

const managed = [
  {
    manager: "dnsdeck",
    operation: "Apply",
    time: "2026-11-24T10:00:00Z",
    fieldsV1: {
      "f:spec": {
        "f:template": {
          "f:spec": {
            "f:containers": { 'k:{"name":"node-cache"}': { ".": {}, "f:image": {}, "f:args": {} } },
            "f:tolerations": {},
          },
        },
      },
    },
  },
  {
    manager: "kubectl-edit",
    operation: "Update",
    time: "2026-11-24T11:00:00Z",
    fieldsV1: { "f:spec": { "f:template": { "f:spec": { "f:containers": { 'k:{"name":"node-cache"}': { "f:env": { 'k:{"name":"DEBUG"}': { ".": {}, "f:value": {} } } } } } } } },
  },
  { manager: "kube-controller-manager", operation: "Update", subresource: "status", fieldsV1: { "f:status": {} } },
];

const live = {
  apiVersion: "apps/v1",
  kind: "DaemonSet",
  metadata: { name: "node-local-dns", namespace: "kube-system", uid: "u", resourceVersion: "9", generation: 3, managedFields: managed, annotations: { "deprecated.daemonset.template.generation": "3" } },
  spec: {
    template: {
      spec: {
        containers: [{ name: "node-cache", image: "k8s-dns-node-cache:1.23.1", args: ["-localip", "169.254.20.10"], env: [{ name: "DEBUG", value: "1" }] }],
        tolerations: [{ operator: "Exists" }],
        dnsConfig: { options: [{ name: "ndots", value: "2" }] },
      },
    },
  },
  status: { numberReady: 5 },
};

test("volatile and server-filled fields are stripped before comparing", () => {
  const s = stripVolatile(live)!;
  assert.equal(s.status, undefined);
  const meta = s.metadata as Record<string, unknown>;
  assert.equal(meta.managedFields, undefined);
  assert.equal(meta.resourceVersion, undefined);
  assert.equal(meta.annotations, undefined, "the controller's template-generation annotation is not a difference");
  const svc = stripVolatile({ kind: "Service", metadata: { name: "x" }, spec: { clusterIPs: ["10.1.1.1"], ports: [{ port: 53, nodePort: 30053 }] } })!;
  assert.deepEqual(svc.spec, { ports: [{ port: 53 }] });
});

test("a changed container image is reported once, with the manager that owns it", () => {
  const next = structuredClone(stripVolatile(live)!) as any;
  next.spec.template.spec.containers[0].image = "k8s-dns-node-cache:1.26.4";
  const changes = describeChanges(live, stripVolatile(live), next);
  assert.equal(changes.length, 1);
  assert.equal(changes[0].path, ".spec.template.spec.containers[name=node-cache].image");
  assert.deepEqual(changes[0].owners.map((o) => o.manager), ["dnsdeck"]);
});

test("an atomic list is owned as a whole; status-subresource managers are not owners", () => {
  const segs = changedPaths({ t: [{ operator: "Exists" }] }, { t: [{ operator: "Exists", key: "x" }] });
  assert.equal(segs.length, 1);
  const owners = ownersOf(managed, [{ key: "spec" }, { key: "template" }, { key: "spec" }, { key: "tolerations" }]);
  assert.deepEqual(owners.map((o) => o.manager), ["dnsdeck"]);
  assert.deepEqual(ownersOf(managed, [{ key: "status" }]), []);
});

test("a hand edit after dnsdeck's apply and Kyverno's unowned dnsConfig show as external drift with their owners", () => {
  const intent = {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name: "node-local-dns", namespace: "kube-system" },
    spec: { template: { spec: { containers: [{ name: "node-cache", image: "k8s-dns-node-cache:1.23.1", args: [] }], tolerations: [{ operator: "Exists" }] } } },
  };
  const ext = externalFields(live, intent, ["dnsdeck"]);
  const byPath = new Map(ext.map((e) => [e.path, e.owners.map((o) => o.manager)]));
  assert.deepEqual(byPath.get(".spec.template.spec.containers[name=node-cache].env[name=DEBUG].value"), ["kubectl-edit"]);
  assert.deepEqual(byPath.get(".spec.template.spec.dnsConfig.options[name=ndots].value"), []);
  assert.equal([...byPath.keys()].some((p) => p.includes(".image")), false, "fields in the intent are not external");
  // nothing is external before dnsdeck ever applied the object
  assert.deepEqual(externalFields({ ...live, metadata: { ...live.metadata, managedFields: managed.slice(1) } }, intent, ["dnsdeck"]), []);
});

test("the YAML diff is a unified diff naming the object, empty when equal", () => {
  const a = { kind: "ConfigMap", data: { Corefile: "a\nb\n" } };
  const b = { kind: "ConfigMap", data: { Corefile: "a\nc\n" } };
  const d = yamlDiff("ConfigMap kube-system/node-local-dns", a, b);
  assert.match(d, /--- live\/ConfigMap kube-system\/node-local-dns/);
  assert.match(d, /^-\s+b$/m);
  assert.match(d, /^\+\s+c$/m);
  assert.equal(yamlDiff("x", a, structuredClone(a)), "");
  assert.match(yamlDiff("x", null, b), /^\+kind: ConfigMap$/m);
});

test("paths name list items by their key", () => {
  assert.equal(pathString([{ key: "spec" }, { key: "ports" }, { item: { name: "dns", port: 53 }, index: 0 }, { key: "port" }]), ".spec.ports[name=dns].port");
  assert.equal(pathString([{ key: "metadata" }, { key: "annotations" }, { key: "prometheus.io/port" }]), '.metadata.annotations["prometheus.io/port"]');
});

test("ignoreDifferences: a path covers itself and everything below it, not its siblings; the intent loses it", () => {
  const ign = [".spec.template.spec.dnsConfig"];
  assert.equal(isIgnoredPath(".spec.template.spec.dnsConfig", ign), true);
  assert.equal(isIgnoredPath(".spec.template.spec.dnsConfig.options[name=ndots].value", ign), true);
  assert.equal(isIgnoredPath(".spec.template.spec.dnsConfigX", ign), false);
  assert.equal(isIgnoredPath(".spec.template.spec.dnsPolicy", ign), false);
  const intent = { spec: { replicas: 2, template: { spec: { dnsPolicy: "Default", dnsConfig: { options: [{ name: "ndots", value: "2" }] } } } } };
  const out = withoutPaths(intent, ign);
  assert.deepEqual(out, { spec: { replicas: 2, template: { spec: { dnsPolicy: "Default" } } } });
  assert.ok(intent.spec.template.spec.dnsConfig, "the original is not changed");
  assert.deepEqual(withoutPaths(intent, [".spec.missing.deeper"]), intent);
});
