/**
 * A CronJob's last run, one answer for every page (the CronJobs tab, the architecture graph, the overview): the newest
 * Job the CronJob owns — scheduled or started by "Run now", which the CronJob's own status never records — and, when
 * no Job is kept any more (history limits), the CronJob's status (lastScheduleTime / lastSuccessfulTime). Pure.
 */
export type LastRunState = "ok" | "failed" | "running" | "never";

export interface LastRun {
  state: LastRunState;
  /** When it started (the Job's start, or the CronJob's lastScheduleTime). */
  at: string | null;
  /** The Job, when one is kept. */
  job?: string;
  manual?: boolean;
  from: "job" | "cronjob-status" | "none";
}

export function lastRunOf(status: { lastScheduleTime?: string | null; lastSuccessfulTime?: string | null; active?: number }, newestJob?: { name: string; state: "running" | "succeeded" | "failed"; startedAt: string | null; manual: boolean } | null): LastRun {
  if (newestJob) {
    const state: LastRunState = newestJob.state === "succeeded" ? "ok" : newestJob.state;
    // a later scheduled run whose Job is already gone still counts (status is newer than the kept Job)
    const sched = status.lastScheduleTime ?? null;
    if (!sched || !newestJob.startedAt || newestJob.startedAt >= sched) return { state, at: newestJob.startedAt, job: newestJob.name, manual: newestJob.manual, from: "job" };
  }
  const sched = status.lastScheduleTime ?? null;
  if (!sched) return { state: "never", at: null, from: "none" };
  const succ = status.lastSuccessfulTime ?? null;
  const state: LastRunState = succ && succ >= sched ? "ok" : (status.active ?? 0) > 0 ? "running" : "failed";
  return { state, at: sched, from: "cronjob-status" };
}
