import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import type { TestDatabase } from "@/server/testing/db";
import { stackTestEnv } from "./helpers";

// Refused means nothing changed: every refusal of apply, rollback and config save is checked by comparing the
// desired config, its revisions and the run history before and after. (A kubeconfig that points nowhere: every
// refusal here happens before Kubernetes would be called.)

let dbh: TestDatabase;
let client: typeof import("@/server/db/client");
let apply: typeof import("../apply/start");
let lock: typeof import("../lock");
let verbs: typeof import("../run-verbs");
let configVerbs: typeof import("../config-verbs");
let ctxMod: typeof import("@/server/auth/ctx");

before(async () => {
  const dir = mkdtempSync(path.join(tmpdir(), "dnsdeck-kc-"));
  const kc = path.join(dir, "config");
  writeFileSync(kc, "apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: 'http://127.0.0.1:9'}}]\nusers: [{name: u, user: {}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n");
  dbh = await stackTestEnv({ KUBECONFIG: kc });
  client = await import("@/server/db/client");
  apply = await import("../apply/start");
  lock = await import("../lock");
  verbs = await import("../run-verbs");
  configVerbs = await import("../config-verbs");
  ctxMod = await import("@/server/auth/ctx");
});
after(async () => {
  await client.db().$disconnect();
  await dbh.drop();
});

async function state() {
  const db = client.db();
  const [revisions, applies, current] = await Promise.all([
    db.stackConfigRevision.findMany({ orderBy: { id: "asc" }, select: { id: true, note: true } }),
    db.stackApply.findMany({ orderBy: { id: "asc" }, select: { id: true, status: true, configRevisionId: true } }),
    db.stackConfigRevision.findFirst({ orderBy: { id: "desc" }, select: { id: true } }),
  ]);
  const config = createHash("sha256").update(JSON.stringify(await db.stackConfigRevision.findMany({ select: { config: true } }))).digest("hex").slice(0, 12);
  return JSON.stringify({ revisions, applies, current, config });
}

test("apply with nothing saved, refused by the lock: the defaults are not saved, no run recorded", async () => {
  await lock.acquireLock("bob#1", "another apply");
  try {
    const before = await state();
    await assert.rejects(apply.startApply({ user: "alice" }), (e: Error & { code?: string }) => e.code === "locked");
    assert.equal(await state(), before);
  } finally {
    await lock.releaseLock("bob#1");
  }
});

test("a refused rollback (undo run missing, target missing, lock held) leaves the desired config unchanged", async () => {
  const { defaultStackConfig } = await import("@/k8s/config");
  const { saveConfig } = await import("../config-store");
  const db = client.db();
  const old = await saveConfig(defaultStackConfig, "alice", "the old one");
  const changed = structuredClone(defaultStackConfig);
  changed.nodelocal.resources.limits.memory = "160Mi";
  await saveConfig(changed, "alice", "current");
  const run = await db.stackApply.create({ data: { kind: "apply", configRevisionId: old.id!, createdBy: "alice", status: "ok", config: {}, rendered: [], steps: [] } });
  const before = await state();

  await assert.rejects(apply.startRollback({ user: "alice", toRun: run.id, undo: 99_999 }), (e: Error & { code?: string }) => e.code === "not_found");
  assert.equal(await state(), before, "404 undo");
  await assert.rejects(apply.startRollback({ user: "alice", toRun: 2_147_483_647 }), (e: Error & { code?: string }) => e.code === "not_found");
  assert.equal(await state(), before, "404 target");
  await lock.acquireLock("bob#2", "another apply");
  try {
    await assert.rejects(apply.startRollback({ user: "alice", toRun: run.id }), (e: Error & { code?: string }) => e.code === "locked");
    assert.equal(await state(), before, "423 lock");
    // through the verb, as the route calls it: refused, audited as refused, still nothing changed
    const admin = ctxMod.testContext({ user: "alice", role: "admin" });
    await assert.rejects(verbs.rollbackStack(admin, { toRun: run.id }), (e: Error & { status?: number }) => e.status === 423);
    const row = await db.auditEvent.findFirst({ where: { action: "stack.rollback" }, orderBy: { id: "desc" } });
    assert.equal(row?.result, "refused");
    assert.equal(row?.httpStatus, 423);
    assert.equal(await state(), before, "423 via the verb");
  } finally {
    await lock.releaseLock("bob#2");
  }
  // ids past 32 bits are refused at the schema, before any query
  const admin = ctxMod.testContext({ user: "alice", role: "admin" });
  for (const bad of [{ toRun: 2_147_483_648 }, { toRun: run.id, undo: 2 ** 53 }, { toRun: "99999999999" }, { toRun: -1 }, { toRun: 1.5 }])
    await assert.rejects(verbs.rollbackStack(admin, bad), (e: Error & { status?: number }) => e.status === 400, JSON.stringify(bad));
  assert.equal(await state(), before, "400s");
});

test("a refused config save (invalid, NUL, viewer) saves nothing", async () => {
  const { defaultStackConfig } = await import("@/k8s/config");
  const before = await state();
  const admin = ctxMod.testContext({ user: "alice", role: "admin" });
  const bad = structuredClone(defaultStackConfig) as unknown as { nodelocal: { linkLocalIp: string; image: string } };
  bad.nodelocal.linkLocalIp = "169.254.20";
  await assert.rejects(configVerbs.saveStackConfig(admin, { config: bad }), (e: Error & { status?: number }) => e.status === 400);
  const nul = structuredClone(defaultStackConfig) as unknown as { nodelocal: { image: string } };
  nul.nodelocal.image = "registry.k8s.io/dns/k8s-dns-node-cache:1.23.1\u0000";
  await assert.rejects(configVerbs.saveStackConfig(admin, { config: nul }), (e: Error & { status?: number }) => e.status === 400);
  await assert.rejects(configVerbs.saveStackConfig(admin, { config: defaultStackConfig, note: "a\u0000b" }), (e: Error & { status?: number }) => e.status === 400);
  await assert.rejects(configVerbs.saveStackConfig(ctxMod.testContext({ user: "victor", role: "viewer" }), { config: defaultStackConfig }), (e: Error & { status?: number }) => e.status === 403);
  assert.equal(await state(), before);
});
