// The CronJob controller on a virtual clock (cronSpeed), and the cron schedule arithmetic (croner: day-of-month and day-of-week are ORed as in cron).
import type { Cluster } from "./index";
import { res } from "../resources";
import { clone, ts, type Obj } from "../util";
import { Cron } from "croner";
import { ownerRef } from "./util";

export function cronjobs(cl: Cluster) {
  const cjR = res("cronjobs", "batch"), jR = res("jobs", "batch");
  const vnow = cl.cronNow();
  for (let cj of cl.api.store.list(cjR)) {
    const ns = cj.metadata.namespace;
    const jobs = cl.api.store.list(jR, ns).filter((j) => j.metadata.ownerReferences?.some((o: Obj) => o.uid === cj.metadata.uid && o.controller));
    const finished = (j: Obj) => (j.status?.conditions ?? []).find((c: Obj) => (c.type === "Complete" || c.type === "Failed") && c.status === "True");
    // unexpected (manual) jobs
    for (const j of jobs) {
      if (cl.cronCreated.has(j.metadata.uid) || cl.unexpectedSeen.has(j.metadata.uid)) continue;
      if ((cj.status?.active ?? []).some((a: Obj) => a.uid === j.metadata.uid)) { cl.cronCreated.add(j.metadata.uid); continue; }
      cl.unexpectedSeen.add(j.metadata.uid);
      cl.event(cj, "Warning", "UnexpectedJob", `Saw a job that the controller did not create or forgot: ${j.metadata.name}`, "cronjob-controller");
    }
    const st: Obj = clone(cj.status ?? {});
    let active: Obj[] = st.active ?? [];
    for (const a of [...active]) {
      const j = jobs.find((x) => x.metadata.uid === a.uid);
      if (!j) { active = active.filter((x) => x !== a); continue; }
      const f = finished(j);
      if (f) {
        active = active.filter((x) => x !== a);
        cl.event(cj, "Normal", "SawCompletedJob", `Saw completed job: ${j.metadata.name}, condition: ${f.type}`, "cronjob-controller");
        if (f.type === "Complete") st.lastSuccessfulTime = j.status.completionTime ?? ts();
      }
    }
    for (const j of jobs) if (cl.unexpectedSeen.has(j.metadata.uid) && finished(j)?.type === "Complete" && j.status.completionTime && (!st.lastSuccessfulTime || j.status.completionTime > st.lastSuccessfulTime)) st.lastSuccessfulTime = j.status.completionTime;
    // schedule
    let next = cl.cronNext.get(cj.metadata.uid);
    if (next === undefined) {
      next = nextCron(cj.spec.schedule, vnow);
      cl.cronNext.set(cj.metadata.uid, next ?? Infinity);
    }
    if (next !== undefined && vnow >= next) {
      cl.cronNext.set(cj.metadata.uid, nextCron(cj.spec.schedule, vnow) ?? Infinity);
      const blocked = cj.spec.concurrencyPolicy === "Forbid" && active.length > 0;
      if (!cj.spec.suspend && !blocked) {
        if (cj.spec.concurrencyPolicy === "Replace") for (const a of active) { try { cl.api.delete(jR, ns, a.name, { propagationPolicy: "Background" }); } catch { /* gone */ } active = []; }
        const name = `${cj.metadata.name}-${Math.floor(next / 60000)}`;
        if (!cl.api.tryGet(jR, ns, name)) {
          const tmpl = cj.spec.jobTemplate ?? {};
          const job = cl.api.create(jR, ns, {
            metadata: { name, labels: clone(tmpl.metadata?.labels), annotations: { ...(tmpl.metadata?.annotations ?? {}), "batch.kubernetes.io/cronjob-scheduled-timestamp": new Date(next).toISOString().replace(".000Z", "Z") }, ownerReferences: [ownerRef(cj)] },
            spec: clone(tmpl.spec),
          }, { fieldManager: "kube-controller-manager" });
          cl.cronCreated.add(job.metadata.uid);
          active = [...active, { kind: "Job", namespace: ns, name, uid: job.metadata.uid, apiVersion: "batch/v1", resourceVersion: job.metadata.resourceVersion }];
          st.lastScheduleTime = ts(next);
          cl.event(cj, "Normal", "SuccessfulCreate", `Created job ${name}`, "cronjob-controller");
        }
      } else if (blocked) cl.event(cj, "Normal", "JobAlreadyActive", "Not starting job because prior execution is running and concurrency policy is Forbid", "cronjob-controller");
    }
    st.active = active.length ? active : undefined;
    if (!st.active) delete st.active;
    cj = cl.api.writeStatus(cjR, cj, st, "kube-controller-manager");
    // history limits
    const done = cl.api.store.list(jR, ns).filter((j) => j.metadata.ownerReferences?.some((o: Obj) => o.uid === cj.metadata.uid && o.controller) && finished(j));
    const byTime = (a: Obj, b: Obj) => (a.status?.completionTime ?? a.metadata.creationTimestamp).localeCompare(b.status?.completionTime ?? b.metadata.creationTimestamp);
    const ok = done.filter((j) => finished(j).type === "Complete").sort(byTime);
    const bad = done.filter((j) => finished(j).type === "Failed").sort(byTime);
    while (ok.length > (cj.spec.successfulJobsHistoryLimit ?? 3)) { const j = ok.shift()!; cl.api.delete(jR, ns, j.metadata.name, { propagationPolicy: "Background" }); cl.event(cj, "Normal", "SuccessfulDelete", `Deleted job ${j.metadata.name}`, "cronjob-controller"); }
    while (bad.length > (cj.spec.failedJobsHistoryLimit ?? 1)) { const j = bad.shift()!; cl.api.delete(jR, ns, j.metadata.name, { propagationPolicy: "Background" }); cl.event(cj, "Normal", "SuccessfulDelete", `Deleted job ${j.metadata.name}`, "cronjob-controller"); }
  }
}

/** The schedule as cron reads it (UTC, 5 fields; day-of-month and day-of-week ORed when both are restricted). */
function schedule(expr: string): Cron | undefined {
  if (expr.trim().split(/\s+/).length !== 5) return undefined;
  try {
    return new Cron(expr, { timezone: "UTC", legacyMode: true, paused: true });
  } catch {
    return undefined;
  }
}

/** Next fire time (ms) after `after` for a 5-field cron expression (UTC). */
export function nextCron(expr: string, after: number): number | undefined {
  return schedule(expr)?.nextRun(new Date(after))?.getTime() ?? undefined;
}

/** Latest fire time (ms) at or before `at` for a 5-field cron expression (UTC), searching back up to a week. */
export function prevCron(expr: string, at: number): number | undefined {
  const c = schedule(expr);
  if (!c) return undefined;
  let last: number | undefined;
  for (let t = c.nextRun(new Date(at - 7 * 86400_000 - 1)); t && t.getTime() <= at; t = c.nextRun(t)) last = t.getTime();
  return last;
}
