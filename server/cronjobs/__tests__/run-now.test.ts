import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";
import * as k8s from "@kubernetes/client-node";
import { resetEnvForTests } from "@/server/env";
import { AppError, toAppError } from "@/server/errors";
import { startKubeTwin, type KubeTwin } from "@/twin/kube/index";
import { jobLogStream, jobStatus, listCronJobs, runCronJobNow } from "../jobs";

let twin: KubeTwin;
let dir: string;
let batch: k8s.BatchV1Api;

before(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "dnsdeck-cron-"));
  // speed 5: a Job runs for about a second; cronSpeed 0 freezes the schedule clock so only our Jobs exist
  twin = await startKubeTwin({ stateDir: dir, speed: 5, cronSpeed: 0 });
  Object.assign(process.env, { NODE_ENV: "test", AUTH_MODE: "demo", DATABASE_URL: "postgresql://unused@127.0.0.1:1/unused", KUBECONFIG: twin.kubeconfigPath });
  for (const n of ["PRIMARY", "SECONDARY", "TERTIARY"]) process.env[`TECHNITIUM_TOKEN_${n}`] ??= "t";
  resetEnvForTests();
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(twin.kubeconfigPath);
  batch = kc.makeApiClient(k8s.BatchV1Api);
});
after(async () => {
  await twin.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  let text = "";
  const dec = new TextDecoder();
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return text;
    text += dec.decode(value, { stream: true });
  }
}

test("Run now creates the Job like kubectl, refuses while it runs, streams its log, and shows the outcome", async () => {
  const r = await runCronJobNow("technitium", "technitium-zone-sync");
  assert.match(r.job, /^technitium-zone-sync-manual-[0-9a-f]{5}$/);
  const job = await batch.readNamespacedJob({ namespace: "technitium", name: r.job });
  assert.equal(job.metadata?.annotations?.["cronjob.kubernetes.io/instantiate"], "manual");
  const owner = job.metadata?.ownerReferences?.[0];
  assert.equal(owner?.kind, "CronJob");
  assert.equal(owner?.name, "technitium-zone-sync");
  assert.equal(owner?.controller, true);
  assert.equal(owner?.blockOwnerDeletion, undefined);
  const cj = await batch.readNamespacedCronJob({ namespace: "technitium", name: "technitium-zone-sync" });
  assert.deepEqual(job.spec?.template.spec?.containers[0].command, cj.spec?.jobTemplate.spec?.template.spec?.containers[0].command);

  await assert.rejects(runCronJobNow("technitium", "technitium-zone-sync"), (e: unknown) => {
    assert.ok(e instanceof AppError && e.code === "conflict", String(e));
    assert.match(e.message, new RegExp(`unfinished Job ${r.job}`));
    return true;
  });
  // another CronJob is not blocked
  const other = await runCronJobNow("technitium", "technitium-dns-optimization");
  assert.match(other.job, /^technitium-dns-optimization-manual-/);

  const log = await readAll(await jobLogStream("technitium", "technitium-zone-sync", r.job, { waitMs: 20_000 }));
  assert.match(log, /starting technitium-zone-sync/);
  assert.match(log, /zone sync completed/, "followed to the end of the container");

  const deadline = Date.now() + 20_000;
  let st = await jobStatus("technitium", "technitium-zone-sync", r.job);
  while (st.state === "running" && Date.now() < deadline) {
    await new Promise((res) => setTimeout(res, 200));
    st = await jobStatus("technitium", "technitium-zone-sync", r.job);
  }
  assert.equal(st.state, "succeeded");
  assert.equal(st.manual, true);

  const list = await listCronJobs("technitium");
  assert.equal(list.cronJobs.length, 4);
  const zs = list.cronJobs.find((c) => c.name === "technitium-zone-sync")!;
  assert.equal(zs.lastRun?.name, r.job);
  assert.equal(zs.lastRun?.state, "succeeded");

  // finished → a new run is allowed
  const again = await runCronJobNow("technitium", "technitium-zone-sync");
  assert.notEqual(again.job, r.job);
});

test("only the stack's CronJobs: another namespace is refused", async () => {
  await assert.rejects(runCronJobNow("kube-system", "anything"), (e: unknown) => e instanceof AppError && e.code === "forbidden" && /namespace "technitium"/.test(e.message));
  await assert.rejects(listCronJobs("phpipam"), (e: unknown) => e instanceof AppError && e.code === "forbidden");
});

test("unknown CronJob → not found; a Job of another CronJob is not served as this one's", async () => {
  // the Kubernetes door's KubeError, answered to the user as a 404 naming the CronJob
  await assert.rejects(runCronJobNow("technitium", "nope"), (e: unknown) => toAppError(e).status === 404 && /CronJob technitium\/nope/.test(toAppError(e).message));
  const r = await runCronJobNow("technitium", "technitium-password-sync");
  await assert.rejects(jobStatus("technitium", "technitium-split-horizon-sync", r.job), (e: unknown) => e instanceof AppError && e.code === "not_found");
});
