import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { startKubeTwin, type KubeTwin } from "@/twin/kube/index";
import { kubeFetch } from "@/twin/kube/https-fetch";

// dnsdeck's applies against the Kubernetes twin over TLS (CA from the kubeconfig, bearer token): a misspelt field is
// refused under fieldValidation=Strict instead of being dropped; Warning headers are read the way kubectl reads them.
let kube: KubeTwin;
let dir: string;
let client: typeof import("../client");
let objects: typeof import("../objects");
let errors: typeof import("../error");

before(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), "dnsdeck-strict-"));
  kube = await startKubeTwin({ stateDir: dir, speed: 20 });
  Object.assign(process.env, { DATABASE_URL: "postgresql://postgres@127.0.0.1:1/none", AUTH_MODE: "demo", KUBECONFIG: kube.kubeconfigPath, TECHNITIUM_INSTANCES: "primary=http://127.0.0.1:9", TECHNITIUM_TOKEN_PRIMARY: "unused" });
  (await import("@/server/env")).resetEnvForTests();
  client = await import("../client");
  objects = await import("../objects");
  errors = await import("../error");
});
after(async () => {
  await kube?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const cm = (extra: Record<string, unknown> = {}) => ({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "strict-probe", namespace: "kube-system" }, data: { a: "1" }, ...extra });

test("an apply with an unknown field is a 400 naming the field; nothing is stored", async () => {
  const warnings: string[] = [];
  await assert.rejects(objects.applyObject(cm({ dataa: { b: "2" } }), { warnings }), (e: unknown) => {
    assert.ok(e instanceof errors.KubeError, String(e));
    assert.equal(e.status.code, 400);
    assert.equal(e.kind, "invalid");
    assert.match(e.message, /\.dataa: field not declared in schema/);
    return true;
  });
  const read = await kubeFetch(`${kube.url}/api/v1/namespaces/kube-system/configmaps/strict-probe`, { headers: { authorization: `Bearer ${kube.token}` } });
  assert.equal(read.status, 404);
  const ok = await objects.applyObject(cm(), { warnings });
  assert.deepEqual(ok.data, { a: "1" });
  assert.deepEqual(warnings, []);
});

test("Warning headers as the API server writes them are read back as texts", async () => {
  // the default (Warn) drops the field and says so in a Warning header — what dnsdeck avoids by sending Strict
  const r = await kubeFetch(`${kube.url}/api/v1/namespaces/kube-system/configmaps?fieldManager=probe`, {
    method: "POST",
    headers: { authorization: `Bearer ${kube.token}`, "content-type": "application/json" },
    body: JSON.stringify({ ...cm(), metadata: { name: "warn-probe", namespace: "kube-system" }, dataa: { c: "3" } }),
  });
  assert.equal(r.status, 201);
  assert.equal((await r.json()).dataa, undefined, "dropped");
  assert.deepEqual(client.parseWarnings(r.headers.get("warning") ?? undefined), ['unknown field "dataa"']);
  assert.deepEqual(client.parseWarnings('299 - "a \\"quoted\\" one", 299 - "second"'), ['a "quoted" one', "second"]);
});

test("calls reuse one TLS connection: ten reads through the typed clients open at most one socket to the API server", async () => {
  const https = await import("node:https");
  const proto = https.Agent.prototype as unknown as { createConnection: (...a: unknown[]) => unknown };
  const original = proto.createConnection;
  let opened = 0;
  proto.createConnection = function (this: unknown, ...a: unknown[]) {
    opened++;
    return original.apply(this, a);
  };
  try {
    const workloads = await import("../workloads");
    for (let i = 0; i < 5; i++) {
      await workloads.listNodes();
      await objects.readObject(cm());
    }
  } finally {
    proto.createConnection = original;
  }
  // at most one (the earlier tests' connection may still be open); client-node's own agent opened one, with its TLS
  // handshake, per request: 15 here (the object reads ask discovery too)
  assert.ok(opened <= 1, `sockets opened for ten calls: ${opened}`);
});
