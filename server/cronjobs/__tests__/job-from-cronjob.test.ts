import assert from "node:assert/strict";
import { test } from "node:test";
import type * as k8s from "@kubernetes/client-node";
import { jobFromCronJob, jobState, manualJobName } from "../jobs";

const cj: k8s.V1CronJob = {
  apiVersion: "batch/v1",
  kind: "CronJob",
  metadata: { name: "technitium-zone-sync", namespace: "technitium", uid: "u-1", labels: { "app.kubernetes.io/managed-by": "dnsdeck" } },
  spec: {
    schedule: "*/30 * * * *",
    jobTemplate: {
      metadata: { labels: { team: "dns" }, annotations: { note: "x", "cronjob.kubernetes.io/instantiate": "template-wins" } },
      spec: { backoffLimit: 1, template: { metadata: { labels: { app: "technitium-zone-sync" } }, spec: { restartPolicy: "Never", containers: [{ name: "c", image: "dnsdeck:0.1.0" }] } } },
    },
  },
};

test("the Job is built the way kubectl create job --from=cronjob builds it", () => {
  const job = jobFromCronJob(cj, "technitium-zone-sync-manual-abcde");
  assert.equal(job.metadata?.name, "technitium-zone-sync-manual-abcde");
  assert.equal(job.metadata?.namespace, "technitium");
  assert.deepEqual(job.metadata?.annotations, { "cronjob.kubernetes.io/instantiate": "template-wins", note: "x" }, "template annotations win on clashes");
  assert.deepEqual(job.metadata?.labels, { team: "dns" }, "exactly the template labels, not the CronJob's");
  assert.deepEqual(job.metadata?.ownerReferences, [{ apiVersion: "batch/v1", kind: "CronJob", name: "technitium-zone-sync", uid: "u-1", controller: true }]);
  assert.ok(!("blockOwnerDeletion" in job.metadata!.ownerReferences![0]));
  assert.deepEqual(job.spec, cj.spec!.jobTemplate.spec);
  assert.notEqual(job.spec, cj.spec!.jobTemplate.spec, "a copy");
  const plain = jobFromCronJob({ ...cj, spec: { ...cj.spec!, jobTemplate: { spec: cj.spec!.jobTemplate.spec } } }, "n");
  assert.deepEqual(plain.metadata?.annotations, { "cronjob.kubernetes.io/instantiate": "manual" });
  assert.deepEqual(plain.metadata?.labels, {});
});

test("manual Job names stay within 63 characters", () => {
  assert.equal(manualJobName("technitium-zone-sync", "a1b2c"), "technitium-zone-sync-manual-a1b2c");
  const long = manualJobName("x".repeat(52), "a1b2c");
  assert.ok(long.length <= 63 && long.endsWith("-manual-a1b2c"), long);
  assert.match(manualJobName("technitium-dns-optimization"), /^technitium-dns-optimization-manual-[0-9a-f]{5}$/);
});

test("job state from conditions", () => {
  assert.equal(jobState({ status: { active: 1 } }), "running");
  assert.equal(jobState({ status: { conditions: [{ type: "Complete", status: "True" }] } }), "succeeded");
  assert.equal(jobState({ status: { conditions: [{ type: "Failed", status: "True" }] } }), "failed");
  assert.equal(jobState({ status: { conditions: [{ type: "FailureTarget", status: "True" }] } }), "failed");
});
