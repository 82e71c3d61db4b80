// The Job controller: parallelism/completions/backoffLimit, Complete/Failed conditions.
import type { Cluster } from "./index";
import { res } from "../resources";
import { clone, ts, type Obj } from "../util";
import { T } from "./util";

// ------------------------------------------------------------------------------------------------ Jobs + CronJobs
export function jobs(cl: Cluster, now: number) {
  const jR = res("jobs", "batch");
  for (const job of cl.api.store.list(jR)) {
    if (job.metadata.deletionTimestamp) continue;
    const st: Obj = clone(job.status ?? {});
    if ((st.conditions ?? []).some((c: Obj) => (c.type === "Complete" || c.type === "Failed") && c.status === "True")) continue;
    if (job.spec.suspend) continue;
    const pods = cl.ownedPods(job);
    const active = pods.filter((p) => cl.podActive(p));
    const succeeded = pods.filter((p) => p.status?.phase === "Succeeded").length;
    const failed = pods.filter((p) => p.status?.phase === "Failed").length;
    const completions = job.spec.completions ?? 1;
    st.startTime ??= ts();
    const set = (k: string, v: number) => { if (v) st[k] = v; else delete st[k]; };
    set("active", active.length); set("succeeded", succeeded); set("failed", failed);
    st.ready = active.filter((p) => cl.podReady(p)).length;
    st.terminating = pods.filter((p) => p.metadata.deletionTimestamp).length;
    st.uncountedTerminatedPods = {};
    const c = (type: string, reason: string, message: string) => ({ type, status: "True", lastProbeTime: ts(), lastTransitionTime: ts(), reason, message });
    if (succeeded >= completions) {
      st.conditions = [c("SuccessCriteriaMet", "CompletionsReached", "Reached expected number of succeeded pods"), c("Complete", "CompletionsReached", "Reached expected number of succeeded pods")];
      st.completionTime = ts();
      delete st.active;
      cl.api.writeStatus(jR, job, st, "kube-controller-manager");
      cl.event(job, "Normal", "Completed", "Job completed", "job-controller");
      continue;
    }
    if (failed > (job.spec.backoffLimit ?? 6)) {
      for (const p of active) cl.api.delete(res("pods"), p.metadata.namespace, p.metadata.name, {});
      st.conditions = [c("FailureTarget", "BackoffLimitExceeded", "Job has reached the specified backoff limit"), c("Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit")];
      delete st.active;
      cl.api.writeStatus(jR, job, st, "kube-controller-manager");
      cl.event(job, "Warning", "BackoffLimitExceeded", "Job has reached the specified backoff limit", "job-controller");
      continue;
    }
    const lastFail = cl.jobFailAt.get(job.metadata.uid);
    if (failed && lastFail === undefined) cl.jobFailAt.set(job.metadata.uid, now);
    const retryOk = !failed || now - (cl.jobFailAt.get(job.metadata.uid) ?? now) >= cl.d(T.jobRetry * 2 ** (failed - 1));
    if (active.length < (job.spec.parallelism ?? 1) && succeeded + active.length < completions && retryOk) {
      cl.jobFailAt.delete(job.metadata.uid);
      cl.createPod(job, job.spec.template, { generateName: `${job.metadata.name}-` });
      st.active = (st.active ?? 0) + 1;
    }
    cl.api.writeStatus(jR, job, st, "kube-controller-manager");
  }
}
