import { test } from "node:test";
import assert from "node:assert/strict";
import { lastRunOf } from "../last-run";

test("last run: the newest Job (a manual run too) wins over the CronJob's older status", () => {
  const status = { lastScheduleTime: "2026-12-03T10:00:00.000Z", lastSuccessfulTime: "2026-12-03T10:00:30.000Z" };
  const manual = { name: "x-manual-ab12c", state: "failed" as const, startedAt: "2026-12-03T11:59:00.000Z", manual: true };
  assert.deepEqual(lastRunOf(status, manual), { state: "failed", at: manual.startedAt, job: manual.name, manual: true, from: "job" });
});

test("last run: without a kept Job the CronJob's status answers (not 'never'); nothing at all is 'never'", () => {
  assert.deepEqual(lastRunOf({ lastScheduleTime: "2026-12-03T10:00:00.000Z", lastSuccessfulTime: "2026-12-03T10:00:30.000Z" }, null), { state: "ok", at: "2026-12-03T10:00:00.000Z", from: "cronjob-status" });
  assert.equal(lastRunOf({ lastScheduleTime: "2026-12-03T10:00:00.000Z", lastSuccessfulTime: "2026-12-03T04:00:30.000Z" }, null).state, "failed");
  assert.equal(lastRunOf({}, null).state, "never");
  // a later scheduled run whose Job is gone beats an older kept Job
  const old = { name: "x-1", state: "succeeded" as const, startedAt: "2026-12-03T04:00:00.000Z", manual: false };
  assert.equal(lastRunOf({ lastScheduleTime: "2026-12-03T10:00:00.000Z" }, old).from, "cronjob-status");
});
