// Pure pieces of the twin: patch semantics, FieldsV1, selectors, the Corefile checker, cron schedules.
import { test } from "node:test";
import assert from "node:assert/strict";
import { jsonPatch, mergePatch, strategicMerge, fieldSet, toFieldsV1, fromFieldsV1, pathString, StatusLikeError } from "../schema";
import { matchLabels, parseLabelSelector } from "../selectors";
import { checkCorefile } from "../corefile";
import { nextCron } from "../controllers";
import { HOMELAB_COREFILE } from "../seed";

const pod = {
  spec: {
    containers: [
      { name: "a", image: "a:1", env: [{ name: "X", value: "1" }, { name: "Y", value: "2" }], ports: [{ containerPort: 53, protocol: "UDP" }] },
      { name: "b", image: "b:1" },
    ],
    tolerations: [{ operator: "Exists" }],
    volumes: [{ name: "v1", emptyDir: {} }],
  },
};

test("strategic merge: containers/env/volumes merge by key, tolerations replace, $patch directives", () => {
  const out: any = strategicMerge(pod, {
    spec: {
      containers: [{ name: "a", image: "a:2", env: [{ name: "Y", value: "3" }, { name: "Z", value: "4" }] }, { name: "b", $patch: "delete" }],
      tolerations: [{ key: "k", operator: "Exists", effect: "NoSchedule" }],
      volumes: [{ name: "v2", configMap: { name: "cm" } }],
    },
  });
  assert.deepEqual(out.spec.containers.map((c: any) => c.name), ["a"]);
  assert.equal(out.spec.containers[0].image, "a:2");
  assert.deepEqual(out.spec.containers[0].env, [{ name: "X", value: "1" }, { name: "Y", value: "3" }, { name: "Z", value: "4" }]);
  assert.deepEqual(out.spec.containers[0].ports, [{ containerPort: 53, protocol: "UDP" }]);
  assert.deepEqual(out.spec.tolerations, [{ key: "k", operator: "Exists", effect: "NoSchedule" }]);
  assert.deepEqual(out.spec.volumes.map((v: any) => v.name), ["v1", "v2"]);
  const replaced: any = strategicMerge(pod, { spec: { $patch: "replace", containers: [{ name: "c", image: "c" }] } });
  assert.deepEqual(Object.keys(replaced.spec), ["containers"]);
  const removedKey: any = strategicMerge({ metadata: { annotations: { a: "1", b: "2" } } }, { metadata: { annotations: { a: null } } });
  assert.deepEqual(removedKey.metadata.annotations, { b: "2" });
});

test("merge patch replaces lists whole; JSON patch ops and a failing test op", () => {
  const m: any = mergePatch(pod, { spec: { containers: [{ name: "only" }] } });
  assert.deepEqual(m.spec.containers, [{ name: "only" }]);
  const j: any = jsonPatch(pod, [{ op: "replace", path: "/spec/containers/0/image", value: "a:9" }, { op: "add", path: "/spec/containers/-", value: { name: "c" } }, { op: "remove", path: "/spec/tolerations" }]);
  assert.equal(j.spec.containers[0].image, "a:9");
  assert.equal(j.spec.containers[2].name, "c");
  assert.equal(j.spec.tolerations, undefined);
  assert.throws(() => jsonPatch(pod, [{ op: "test", path: "/spec/containers/0/image", value: "nope" }]), StatusLikeError);
  assert.throws(() => jsonPatch(pod, [{ op: "remove", path: "/spec/missing" }]), StatusLikeError);
});

test("FieldsV1: list-map keys, atomic lists, round trip and path strings", () => {
  const set = fieldSet(pod as any, { mode: "apply" });
  const f = toFieldsV1(set);
  const a = f["f:spec"]["f:containers"]['k:{"name":"a"}'];
  assert.deepEqual(a["."], {});
  assert.ok(a["f:env"]['k:{"name":"X"}']["f:value"]);
  assert.ok(a["f:ports"]['k:{"containerPort":53,"protocol":"UDP"}']);
  assert.deepEqual(f["f:spec"]["f:tolerations"], {}, "tolerations are atomic");
  assert.deepEqual(f["f:spec"]["f:volumes"]['k:{"name":"v1"}']["f:emptyDir"], {});
  assert.deepEqual([...fromFieldsV1(f)].sort(), [...set].sort());
  assert.equal(pathString(["f:spec", "f:template", "f:spec", "f:containers", 'k:{"name":"coredns"}', "f:image"]), '.spec.template.spec.containers[name="coredns"].image');
  assert.equal(pathString(["f:spec", "f:ports", 'k:{"port":53,"protocol":"UDP"}']), '.spec.ports[port=53,protocol="UDP"]');
});

test("label selectors", () => {
  const l = { app: "x", tier: "dns" };
  const m = (s: string) => matchLabels(parseLabelSelector(s), l);
  assert.ok(m("app=x") && m("app==x") && m("app!=y") && m("app in (x, y)") && m("app notin (y)") && m("tier") && m("!missing") && m("app=x,tier=dns"));
  assert.ok(!m("app=y") && !m("app notin (x)") && !m("missing") && !m("!tier") && !m("app=x,tier=web"));
  assert.throws(() => parseLabelSelector("app=(x"));
});

test("Corefile checker: the seed Corefile is fine; braces, glued braces, <nil> and loops are caught", () => {
  assert.deepEqual(checkCorefile(HOMELAB_COREFILE).ok, true);
  assert.equal(checkCorefile(HOMELAB_COREFILE).fatal, undefined);
  assert.match(checkCorefile(".:53 {\n    errors\n").error!, /:2 - Error during parsing: Unexpected EOF$/);
  assert.match(checkCorefile(".:53 {\n}\n}\n").error!, /:3 - Error during parsing: Unexpected '}' because no matching opening brace/);
  assert.match(checkCorefile(".:53 {\n    forward . 1.1.1.1{\n    }\n}\n").error!, /:4 - Error during parsing: Unexpected .}. because no matching opening brace/, "`{` glued to a token is an argument; the block then closes early");
  assert.equal(checkCorefile(".:53 {\n    forward . <nil>\n}\n").error, 'plugin/forward: not an IP address or file: "<nil>"');
  assert.match(checkCorefile(".:53 {\n    forward . 169.254.20.10\n}\n").fatal!, /plugin\/loop: Loop .* -> 169\.254\.20\.10:53\) detected for zone "\."/);
  assert.equal(checkCorefile(".:53 {\n    # forward . 10.96.0.10 {\n    forward . \"10.0.20.1\"\n}\n").ok, true, "comments and quotes");
  assert.equal(checkCorefile(".:53 {\n    forward . {$UP}\n}\n", { env: { UP: "10.96.100.7" } }).ok, true);
});

test("cron schedules", () => {
  const t = Date.UTC(2026, 10, 24, 12, 7, 30);
  assert.equal(new Date(nextCron("*/30 * * * *", t)!).toISOString(), "2026-11-24T12:30:00.000Z");
  assert.equal(new Date(nextCron("15 */6 * * *", t)!).toISOString(), "2026-11-24T12:15:00.000Z");
  assert.equal(new Date(nextCron("0 */6 * * *", Date.UTC(2026, 10, 24, 18, 0, 0))!).toISOString(), "2026-11-25T00:00:00.000Z");
  assert.equal(nextCron("not a schedule", t), undefined);
  // cron ORs day-of-month and day-of-week when both are restricted: "the 1st, or any Monday"
  assert.equal(new Date(nextCron("0 0 1 * 1", t)!).toISOString(), "2026-11-30T00:00:00.000Z");
  assert.equal(new Date(nextCron("0 0 1 * 1", Date.UTC(2026, 10, 30, 0, 0, 0))!).toISOString(), "2026-12-01T00:00:00.000Z");
});
