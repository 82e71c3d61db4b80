// Integration on the Kubernetes twin (issue 17): foreign field owners are known before a Corefile is saved — the same
// server-side dry run as the plan, on the draft, naming the owner and the field; nothing is written.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { type Harness, startHarness, twinMissing } from "./harness";

describe("foreign owners of a draft config on the Kubernetes twin", { skip: twinMissing }, () => {
  let h: Harness;
  let owners: typeof import("../owners");
  before(async () => {
    h = await startHarness();
    owners = await import("../owners");
  });
  after(async () => {
    await h?.stop();
  });

  const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "coredns", namespace: "kube-system" } };

  test("a Corefile change on the ConfigMap Terraform owns names Terraform and .data.Corefile, and writes nothing", async () => {
    const before = (await h.kube.readObject(cm)) as any;
    const draft = structuredClone(h.k8s.defaultStackConfig);
    draft.coredns.forwarders = ["10.0.20.1", "9.9.9.9"];
    const r = await owners.foreignOwners(draft, ["coredns"]);
    assert.ok(r.checked > 1, "every CoreDNS object was dry-run");
    const c = r.conflicts.find((x) => x.key === "ConfigMap kube-system/coredns");
    assert.ok(c, JSON.stringify(r.conflicts));
    assert.deepEqual(c.owners, ["Terraform"]);
    assert.ok(c.fields.some((f) => f.field === ".data.Corefile" && f.manager === "Terraform"), JSON.stringify(c.fields));
    assert.match(c.diff, /9\.9\.9\.9/, "the diff shows what taking ownership would overwrite");
    const afterwards = (await h.kube.readObject(cm)) as any;
    assert.equal(afterwards.data.Corefile, before.data.Corefile, "a dry run changes nothing");
    assert.equal(afterwards.metadata.resourceVersion, before.metadata.resourceVersion);
  });

  test("objects that do not exist yet (NodeLocal before its first deploy) have no foreign owner", async () => {
    const r = await owners.foreignOwners(h.k8s.defaultStackConfig, ["nodelocal"]);
    assert.ok(r.checked > 3);
    assert.deepEqual(r.conflicts, []);
  });

  test("once dnsdeck took the Corefile over, the same draft no longer conflicts", async () => {
    const draft = structuredClone(h.k8s.defaultStackConfig);
    draft.coredns.forwarders = ["10.0.20.1", "9.9.9.9"];
    const keys = h.k8s.renderComponent(draft, "coredns").filter((r) => r.object.kind === "ConfigMap").map((r) => h.k8s.objectKey(r.object));
    const { applyObject } = h.kube;
    for (const r of h.k8s.renderComponent(draft, "coredns").filter((x) => keys.includes(h.k8s.objectKey(x.object)))) await applyObject(r.object as any, { force: true });
    const r = await owners.foreignOwners(draft, ["coredns"]);
    assert.equal(r.conflicts.find((x) => x.key === "ConfigMap kube-system/coredns"), undefined, JSON.stringify(r.conflicts));
  });
});
