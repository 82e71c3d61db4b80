import "server-only";
import { randomBytes } from "node:crypto";
import { PassThrough, Readable } from "node:stream";
import { desiredTechnitium } from "@/server/sync/context";
import { AppError } from "@/server/errors";
import { createJob, listCronJobs as kubeCronJobs, listJobs, readCronJob, readJob } from "@/server/kube/jobs";
import { streamPodLog } from "@/server/kube/logs";
import type { V1CronJob, V1Job, V1JobSpec, V1Pod } from "@/server/kube/types";
import { listPods } from "@/server/kube/workloads";

/**
 * "Run now" for the stack's CronJobs, exactly as `kubectl create job <cj>-manual-<id> --from=cronjob/<cj>` builds the
 * Job (reference kubernetes-api §6), refused while an earlier Job owned by the same CronJob is unfinished (kubectl
 * does not check; the CronJob controller's Forbid ignores manual Jobs). Plus the list with last run/outcome and the
 * streamed pod log.
 */

export type JobState = "running" | "succeeded" | "failed";

export interface JobSummary {
  name: string;
  manual: boolean;
  state: JobState;
  startedAt: string | null;
  finishedAt: string | null;
  message?: string;
}

export interface CronJobSummary {
  namespace: string;
  name: string;
  schedule: string;
  suspend: boolean;
  lastScheduleTime: string | null;
  lastSuccessfulTime: string | null;
  lastRun: JobSummary | null;
  jobs: JobSummary[];
}

const iso = (d: unknown) => (d instanceof Date ? d.toISOString() : typeof d === "string" ? d : null);

/** kubectl's Job from a CronJob. Pure. */
export function jobFromCronJob(cj: V1CronJob, name: string): V1Job {
  const tmpl = cj.spec?.jobTemplate;
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: {
      name,
      namespace: cj.metadata?.namespace,
      annotations: { "cronjob.kubernetes.io/instantiate": "manual", ...(tmpl?.metadata?.annotations ?? {}) },
      labels: { ...(tmpl?.metadata?.labels ?? {}) },
      ownerReferences: [{ apiVersion: "batch/v1", kind: "CronJob", name: cj.metadata!.name!, uid: cj.metadata!.uid!, controller: true }],
    },
    spec: structuredClone(tmpl?.spec) as V1JobSpec,
  };
}

/** `<cj>-manual-<5 chars>`, at most 63 characters (the name becomes a pod label value). */
export function manualJobName(cronJob: string, id = randomBytes(4).toString("hex").slice(0, 5)): string {
  const suffix = `-manual-${id}`;
  return `${cronJob.slice(0, 63 - suffix.length).replace(/[-.]+$/, "")}${suffix}`;
}

export function jobState(job: V1Job): JobState {
  const conds = job.status?.conditions ?? [];
  const has = (t: string) => conds.some((c) => c.type === t && c.status === "True");
  if (has("Failed") || has("FailureTarget")) return "failed";
  if (has("Complete") || has("SuccessCriteriaMet") || job.status?.completionTime) return "succeeded";
  return "running";
}

function summarise(job: V1Job): JobSummary {
  const state = jobState(job);
  const cond = (job.status?.conditions ?? []).find((c) => c.status === "True" && (c.type === "Failed" || c.type === "Complete"));
  return {
    name: job.metadata!.name!,
    manual: job.metadata?.annotations?.["cronjob.kubernetes.io/instantiate"] === "manual",
    state,
    startedAt: iso(job.status?.startTime ?? job.metadata?.creationTimestamp),
    finishedAt: iso(job.status?.completionTime ?? cond?.lastTransitionTime),
    message: state === "failed" ? (cond?.message ?? cond?.reason) : undefined,
  };
}

const ownedBy = (job: V1Job, cj: V1CronJob) => (job.metadata?.ownerReferences ?? []).some((o) => o.controller && o.kind === "CronJob" && o.uid === cj.metadata?.uid);

async function ownedJobs(cj: V1CronJob): Promise<V1Job[]> {
  const list = await listJobs(cj.metadata!.namespace!);
  return list.filter((j) => ownedBy(j, cj)).sort((a, b) => String(iso(b.metadata?.creationTimestamp)).localeCompare(String(iso(a.metadata?.creationTimestamp))));
}

/** dnsdeck runs and reads only the DNS stack's CronJobs: those in the Technitium namespace of the stack config. */
async function stackNamespace(namespace?: string): Promise<string> {
  const ns = (await desiredTechnitium()).namespace;
  if (namespace !== undefined && namespace !== ns)
    throw new AppError("forbidden", `dnsdeck only manages the DNS stack's CronJobs, which live in namespace "${ns}", not "${namespace}"`);
  return ns;
}

export async function listCronJobs(namespace?: string): Promise<{ namespace: string; cronJobs: CronJobSummary[] }> {
  const ns = await stackNamespace(namespace);
  const [cjs, jobs] = await Promise.all([
    kubeCronJobs(ns),
    listJobs(ns),
  ]);
  const cronJobs = cjs
    .map((cj) => {
      const mine = jobs
        .filter((j) => ownedBy(j, cj))
        .sort((a, b) => String(iso(b.metadata?.creationTimestamp)).localeCompare(String(iso(a.metadata?.creationTimestamp))))
        .map(summarise);
      return {
        namespace: ns,
        name: cj.metadata!.name!,
        schedule: cj.spec?.schedule ?? "",
        suspend: !!cj.spec?.suspend,
        lastScheduleTime: iso(cj.status?.lastScheduleTime),
        lastSuccessfulTime: iso(cj.status?.lastSuccessfulTime),
        lastRun: mine[0] ?? null,
        jobs: mine.slice(0, 10),
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
  return { namespace: ns, cronJobs };
}

export async function runCronJobNow(namespace: string, name: string): Promise<{ namespace: string; cronJob: string; job: string; manifest: V1Job }> {
  await stackNamespace(namespace);
  const cj = await readCronJob(namespace, name);
  const busy = (await ownedJobs(cj)).find((j) => jobState(j) === "running");
  if (busy)
    throw new AppError("conflict", `CronJob ${namespace}/${name} already has an unfinished Job ${busy.metadata!.name}; wait for it to finish (or delete it) before running it again`, {
      runningJob: busy.metadata!.name,
    });
  const job = jobFromCronJob(cj, manualJobName(name));
  const created = await createJob(namespace, job);
  return { namespace, cronJob: name, job: created.metadata!.name!, manifest: job };
}

export async function jobStatus(namespace: string, cronJob: string, job: string): Promise<JobSummary> {
  await stackNamespace(namespace);
  const cj = await readCronJob(namespace, cronJob);
  const j = await readJob(namespace, job);
  if (!ownedBy(j, cj)) throw new AppError("not_found", `Job ${namespace}/${job} does not belong to CronJob ${cronJob}`);
  return summarise(j);
}

/**
 * The Job's pod log as a text stream, following until the container ends. Waits (bounded) for the pod to exist and
 * start; says so in the stream rather than failing.
 */
export async function jobLogStream(namespace: string, cronJob: string, job: string, opts: { waitMs?: number; follow?: boolean } = {}): Promise<ReadableStream<Uint8Array>> {
  await jobStatus(namespace, cronJob, job); // ownership + existence checks (404s become HTTP errors)
  const out = new PassThrough();
  const write = (line: string) => out.write(`${line}\n`);
  (async () => {
    const deadline = Date.now() + (opts.waitMs ?? 60_000);
    let pod: V1Pod | undefined;
    let said = false;
    for (;;) {
      const pods = await listPods(namespace, `batch.kubernetes.io/job-name=${job}`);
      const legacy = pods.length ? pods : await listPods(namespace, `job-name=${job}`);
      pod = legacy.sort((a, b) => String(iso(b.metadata?.creationTimestamp)).localeCompare(String(iso(a.metadata?.creationTimestamp))))[0];
      const phase = pod?.status?.phase;
      if (pod && phase && phase !== "Pending") break;
      if (Date.now() > deadline) {
        write(pod ? `[dnsdeck] pod ${pod.metadata?.name} is still ${phase ?? "Pending"}; reload to try again` : `[dnsdeck] no pod for Job ${job} yet; reload to try again`);
        out.end();
        return;
      }
      if (!said) write(pod ? `[dnsdeck] waiting for pod ${pod.metadata?.name} to start…` : `[dnsdeck] waiting for Job ${job} to create its pod…`);
      said = true;
      await new Promise((r) => setTimeout(r, 1000));
    }
    const podName = pod!.metadata!.name!;
    const container = pod!.spec?.containers?.[0]?.name ?? "";
    const follow = opts.follow ?? (pod!.status?.phase === "Running");
    const done = new Promise<void>((resolve) => out.once("finish", resolve));
    await streamPodLog(namespace, podName, container, out, { follow });
    if (!follow) await done;
  })().catch((err) => {
    if (!out.writableEnded) {
      write(`[dnsdeck] log stream failed: ${err instanceof Error ? err.message : String(err)}`);
      out.end();
    }
  });
  return Readable.toWeb(out) as unknown as ReadableStream<Uint8Array>;
}
