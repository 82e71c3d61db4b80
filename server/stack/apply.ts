import "server-only";
import { randomBytes } from "node:crypto";
import type { StackConfig } from "@/k8s/config";
import type { RenderedObject } from "@/k8s/types";
import { db } from "@/server/db/client";
import { requireKube } from "@/server/kube/config";
import { conflictsOf, KubeError, type KubeStatus } from "@/server/kube/error";
import { type ApiObject, applyObject } from "@/server/kube/objects";
import { AppError } from "@/server/errors";
import { configRevision, currentConfig, validateConfig } from "./config-store";
import { objectKey, type Obj } from "./fields";
import { acquireLock, refreshLock, releaseLock } from "./lock";
import { sweepStackRuns } from "@/server/runs/lease";
import { recordAudit } from "@/server/audit/record";
import { planObject, type ObjectPlan } from "./plan";
import { renderForApply } from "./render";
import { pausedIntent, watchDaemonSet } from "./rollout/daemonset";
import { watchDeployment } from "./rollout/deployment";
import { type RolloutOptions, rolloutDefaults, type WorkloadRollout } from "./rollout/types";
import { type VerifyResult, verifyResolution } from "./rollout/verify";
import { tuning } from "@/server/env";
import { shuttingDown } from "@/server/lifecycle";

/**
 * Apply = server-side apply of the rendered stack, one object at a time in dependency order, with dnsdeck's field
 * manager, under one PostgreSQL lock; workloads are followed through their rollout with a DNS health gate; a
 * Corefile change is verified through every hop. Every step is persisted as it happens (the page polls it), and the
 * run ends ok / failed / partial with exactly which objects were applied. Applying again is idempotent (SSA).
 */

export type StepStatus = "pending" | "applying" | "applied" | "rolling-out" | "healthy" | "conflict" | "failed" | "skipped" | "interrupted";

export interface ApplyStep {
  key: string;
  component: string;
  kind: string;
  namespace: string;
  name: string;
  status: StepStatus;
  startedAt?: string;
  finishedAt?: string;
  message?: string;
  httpStatus?: number;
  conflicts?: { field: string; manager: string; message: string }[];
  causes?: { type?: string; field?: string; message?: string }[];
}

export interface RolloutRecord {
  workloads: WorkloadRollout[];
  verify?: VerifyResult & { at: string };
  /** Set when the run changed something: the last good run before it (one-click rollback). */
  rollbackTo?: number | null;
  /** An interrupted run: what the cluster held for each object when a live process first looked (./readback.ts). */
  readBack?: ReadBack;
}

export interface ReadBack {
  at: string;
  objects: { key: string; state: ObjectPlan["state"]; message?: string }[];
  /** The objects that still differ from this run's config revision: what "Resume" applies. */
  remaining: string[];
}

export type ApplyOutcome = "running" | "ok" | "failed" | "partial" | "interrupted";

export interface ApplyRequest {
  user: string;
  /** Config revision to apply; default = the current desired config. */
  revision?: number;
  takeOwnership?: boolean;
  /** Keys (`Kind namespace/name`) to apply; default = every object. */
  objects?: string[];
  kind?: "apply" | "rollback";
  rollbackOf?: number;
  rollout?: Partial<RolloutOptions> & { verifyWindowMs?: number };
  /** Rollback: the config to save as the new desired revision, in the same transaction as the run. */
  saveConfig?: { config: StackConfig; note: string };
  /** Called with the outcome when the run ends (the verb settles its audit row); default: an audit row of its own. */
  onDone?: (outcome: { status: ApplyOutcome; applied: number; steps: number; error: string | null }) => Promise<void>;
}

export interface ApplyView {
  id: number;
  kind: string;
  configRevisionId: number;
  rollbackOf: number | null;
  createdBy: string;
  createdAt: string;
  finishedAt: string | null;
  status: ApplyOutcome;
  takeOwnership: boolean;
  applied: string[];
  steps: ApplyStep[];
  rollout: RolloutRecord | null;
  diff: ObjectPlan[] | null;
  error: string | null;
}

const running = new Map<number, Promise<ApplyView>>();

/**
 * Start an apply; resolves once the lock is held and the run is recorded. `done` settles when it finishes.
 * One decision, one transaction: everything that can refuse (revision exists, config valid, Kubernetes configured,
 * the lock) is checked first; only then are the config revision to save (rollback, first apply of the defaults) and
 * the run row written, together. A refused apply leaves the desired config and the history unchanged.
 */
export async function startApply(req: ApplyRequest): Promise<{ id: number; done: Promise<ApplyView> }> {
  const rev = req.saveConfig ? { id: null, config: req.saveConfig.config } : req.revision !== undefined ? await configRevision(req.revision) : await currentConfig();
  const toSave = req.saveConfig ?? (rev.id === null ? { config: rev.config, note: "defaults" } : null);
  const config = validateConfig(rev.config); // stored revisions are valid; this guards hand-edited rows
  requireKube();
  const rendered = renderForApply(config, req.objects);
  const holder = `${req.user}#${randomBytes(4).toString("hex")}`;
  await acquireLock(holder, `${req.kind ?? "apply"} of config revision ${rev.id ?? "(new)"}`);
  let id: number;
  let revisionId: number;
  try {
    const steps: ApplyStep[] = rendered.map((r) => ({
      key: objectKey(r.object),
      component: r.component,
      kind: r.object.kind,
      namespace: r.object.metadata.namespace,
      name: r.object.metadata.name,
      status: "pending",
    }));
    const row = await db().$transaction(async (tx) => {
      const revId = toSave ? (await tx.stackConfigRevision.create({ data: { config: config as object, createdBy: req.user, note: toSave.note } })).id : rev.id!;
      return tx.stackApply.create({
        data: {
          kind: req.kind ?? "apply",
          configRevisionId: revId,
          rollbackOf: req.rollbackOf ?? null,
          createdBy: req.user,
          status: "running",
          takeOwnership: !!req.takeOwnership,
          config: config as object,
          rendered: rendered as unknown as object,
          steps: steps as unknown as object,
          rollout: { workloads: [] } as object,
        },
      });
    });
    id = row.id;
    revisionId = row.configRevisionId;
    await refreshLock(holder, `${req.kind ?? "apply"} #${id} of config revision ${revisionId}`);
  } catch (err) {
    await releaseLock(holder).catch(() => {});
    throw err;
  }
  const done = runApply(id, config, rendered, req, holder).finally(() => {
    running.delete(id);
  });
  running.set(id, done);
  done.catch(() => {});
  return { id, done };
}

async function runApply(id: number, config: StackConfig, rendered: RenderedObject[], req: ApplyRequest, holder: string): Promise<ApplyView> {
  const steps: ApplyStep[] = rendered.map((r) => ({
    key: objectKey(r.object),
    component: r.component,
    kind: r.object.kind,
    namespace: r.object.metadata.namespace,
    name: r.object.metadata.name,
    status: "pending",
  }));
  const applied: string[] = [];
  const rollout: RolloutRecord = { workloads: [] };
  const given = req.rollout?.shouldStop;
  // SIGTERM (rolling update of dnsdeck, node drain): stop watching at once, and start no further step
  const opts: RolloutOptions = { ...rolloutDefaults(), ...req.rollout, shouldStop: () => shuttingDown() || !!given?.() };
  let handedOver = false;
  const handOver = (what: string) => {
    handedOver = true;
    failure = `handed over: dnsdeck was shutting down (a rolling update of dnsdeck or a node drain), so this run stopped ${what}. Objects marked applied/healthy reached the cluster; nothing after them was started. Open this run on the running dnsdeck: it reads back what the cluster holds and offers Resume or rollback.`;
  };
  let lastLockRefresh = Date.now();
  const save = async (extra: Record<string, unknown> = {}) => {
    await db().stackApply.update({
      where: { id },
      data: { steps: steps as unknown as object, applied, rollout: rollout as unknown as object, ...extra },
    });
    if (Date.now() - lastLockRefresh > 30_000) {
      lastLockRefresh = Date.now();
      await refreshLock(holder, `${req.kind ?? "apply"} #${id}`).catch(() => {});
    }
  };
  const startedAt = Date.now();
  let failure: string | null = null;
  let changedSomething = false;
  let corefileChanged = false;
  try {
    // the diff, for the record (what this run is about to change); never blocks the apply
    const diff: ObjectPlan[] = [];
    for (const r of rendered) {
      try {
        diff.push(await planObject(r, { force: req.takeOwnership }));
      } catch {
        /* recorded as missing from the diff */
      }
    }
    await db().stackApply.update({ where: { id }, data: { diff: diff as unknown as object } });
    const planned = new Map(diff.map((p) => [p.key, p]));

    for (let i = 0; i < rendered.length; i++) {
      const r = rendered[i];
      const step = steps[i];
      const intent: ApiObject = r.object;
      if (shuttingDown()) {
        handOver(`before step ${i + 1} of ${rendered.length} (${step.key})`);
        break;
      }
      step.status = "applying";
      step.startedAt = new Date().toISOString();
      await save();
      try {
        await applyObject(intent, { force: !!req.takeOwnership });
      } catch (err) {
        if (!(err instanceof KubeError)) throw err;
        const s = err.status;
        step.httpStatus = s.code || undefined;
        step.finishedAt = new Date().toISOString();
        const conflicts = conflictsOf(s);
        if (conflicts.length) {
          step.status = "conflict";
          step.conflicts = conflicts;
          step.message = `owned by ${[...new Set(conflicts.map((c) => c.manager))].join(", ")}: ${conflicts.map((c) => c.field).join(", ")}. An admin can take ownership (apply again with "take ownership").`;
        } else {
          step.status = "failed";
          step.causes = s.causes;
          step.message = describeFailure(s);
        }
        failure = `${step.key}: ${step.message}`;
        break;
      }
      applied.push(step.key);
      const p = planned.get(step.key);
      const changed = !p || p.state !== "in-sync";
      if (changed) changedSomething = true;
      if (changed && intent.kind === "ConfigMap") corefileChanged = true;
      step.status = "applied";
      step.message = p ? (p.state === "in-sync" ? "no change" : p.state === "missing" ? "created" : `${p.changes.length} field(s) changed`) : "applied";
      await save();

      if (intent.kind === "DaemonSet" || intent.kind === "Deployment") {
        step.status = "rolling-out";
        await save();
        const progress = async (w: WorkloadRollout) => {
          const idx = rollout.workloads.findIndex((x) => x.key === w.key);
          if (idx >= 0) rollout.workloads[idx] = { ...w };
          else rollout.workloads.push({ ...w });
          await save();
        };
        let w: WorkloadRollout;
        try {
          w =
            intent.kind === "DaemonSet"
              ? await watchDaemonSet(intent, config, { ...opts, onProgress: progress })
              : await watchDeployment(intent, { ...opts, onProgress: progress }, isCoreDns(intent, config));
        } catch (err) {
          const why = err instanceof KubeError ? `${err.what}: ${err.message}` : err instanceof Error ? err.message : String(err);
          w = {
            key: step.key,
            kind: intent.kind,
            status: "failed",
            message: `watching the rollout failed: ${why}`,
            desired: 0,
            updated: 0,
            ready: 0,
            healthy: 0,
            startedAt: new Date().toISOString(),
            finishedAt: new Date().toISOString(),
          };
        }
        await progress(w);
        step.finishedAt = new Date().toISOString();
        if (w.status !== "done" && shuttingDown()) {
          // not a failed rollout: the cluster goes on replacing pods; only the watching stopped (no pause)
          step.status = "interrupted";
          step.message = `applied; the rollout goes on in the cluster, but dnsdeck stopped watching it to shut down (${w.message})`;
          handOver(`while watching the rollout of ${step.key}`);
          break;
        }
        if (w.status !== "done") {
          step.status = "failed";
          step.message = w.message;
          if (intent.kind === "DaemonSet") {
            // stop the DaemonSet where it stands: no further node is replaced until the next apply
            try {
              await applyObject(pausedIntent(intent), { force: !!req.takeOwnership });
              step.message += " (DaemonSet paused: updateStrategy OnDelete until the next apply)";
            } catch (err) {
              step.message += ` (pausing the DaemonSet failed: ${err instanceof Error ? err.message : String(err)})`;
            }
          }
          failure = `${step.key}: ${step.message}`;
          break;
        }
        step.status = "healthy";
        step.message = w.message;
      } else {
        step.finishedAt = new Date().toISOString();
      }
      await save();
    }

    if (!failure && corefileChanged) {
      const v = await verifyResolution(config, {
        ...opts,
        windowMs: req.rollout?.verifyWindowMs ?? tuning().DNSDECK_VERIFY_WINDOW_MS,
        onRound: async (round) => {
          rollout.verify = { ...round, at: new Date().toISOString() };
          await save();
        },
      });
      rollout.verify = { ...v, at: new Date().toISOString() };
      if (!v.ok) failure = `a Corefile changed and resolution fails through ${v.hops.filter((h) => !h.ok).map((h) => h.hop).join(", ")}; roll back to restore the previous Corefile`;
    }
  } catch (err) {
    failure = `the apply stopped unexpectedly: ${err instanceof Error ? err.message : String(err)}`;
    for (const s of steps) if (s.status === "applying" || s.status === "rolling-out") s.status = "failed";
  } finally {
    for (const s of steps)
      if (s.status === "pending" && failure) {
        s.status = "skipped";
        if (handedOver) s.message = "not started: dnsdeck was shutting down";
      }
    const status: ApplyOutcome = handedOver ? "interrupted" : !failure ? "ok" : applied.length > 0 && applied.length < steps.length ? "partial" : "failed";
    // offered on a failure, and after any change (a Corefile reloads everywhere at once: undo must be one click)
    if (changedSomething) rollout.rollbackTo = await lastGoodApply(id, config).catch(() => null);
    await save({ status, finishedAt: new Date(), error: failure }).catch((e) => console.error(`[stack.apply #${id}] could not record the outcome`, e));
    if (req.onDone) await req.onDone({ status, applied: applied.length, steps: steps.length, error: failure }).catch(() => {});
    else
      await recordAudit({
        user: req.user,
        action: `stack.${req.kind ?? "apply"}.outcome`,
        target: `apply run #${id}: ${status}, applied ${applied.length}/${steps.length}`,
        result: status === "interrupted" ? "failed" : status,
        durationMs: Date.now() - startedAt,
        error: failure,
        via: "route",
      });
    await releaseLock(holder).catch(() => {});
  }
  return getApply(id);
}

function isCoreDns(intent: ApiObject, config: StackConfig): boolean {
  return intent.metadata.name === config.coredns.deploymentName && (intent.metadata.namespace ?? "") === config.coredns.namespace;
}

function describeFailure(s: KubeStatus): string {
  if (s.code === 422) {
    const fields = (s.causes ?? []).map((c) => `${c.field}: ${c.message}`).join("; ");
    return `the API rejected the object as invalid (422): ${fields || s.message}. Fix the config and apply again.`;
  }
  if (s.code === 504 || s.reason === "Timeout") return `the API did not answer in time (${s.message}). The object may or may not be applied; applying again is safe.`;
  if (s.code >= 500) return `the API failed (HTTP ${s.code}${s.reason ? " " + s.reason : ""}): ${s.message}. Applying again is safe.`;
  if (s.code === 0) return `${s.message}. Check that the Kubernetes API is reachable, then apply again.`;
  return `HTTP ${s.code}${s.reason ? " " + s.reason : ""}: ${s.message}`;
}

/** The latest earlier successful run whose config differs from `config` (rolling back to an equal config undoes nothing). */
async function lastGoodApply(before: number, config: StackConfig): Promise<number | null> {
  const rows = await db().stackApply.findMany({ where: { id: { lt: before }, status: "ok" }, orderBy: { id: "desc" }, take: 50, select: { id: true, config: true } });
  const mine = JSON.stringify(config);
  return rows.find((r) => JSON.stringify(r.config) !== mine)?.id ?? null;
}

function view(r: Awaited<ReturnType<ReturnType<typeof db>["stackApply"]["findUniqueOrThrow"]>>, withDiff = true): ApplyView {
  return {
    id: r.id,
    kind: r.kind,
    configRevisionId: r.configRevisionId,
    rollbackOf: r.rollbackOf,
    createdBy: r.createdBy,
    createdAt: r.createdAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
    status: r.status as ApplyOutcome,
    takeOwnership: r.takeOwnership,
    applied: r.applied,
    steps: r.steps as unknown as ApplyStep[],
    rollout: (r.rollout as unknown as RolloutRecord) ?? null,
    diff: withDiff ? ((r.diff as unknown as ObjectPlan[]) ?? null) : null,
    error: r.error,
  };
}

/**
 * A run whose process died (killed, crashed, node lost) stays "running" until its lease expires (seconds): then it is
 * marked interrupted, with the step that was in flight, so the UI stops polling and the history says what happened.
 */
async function reapStaleRuns(): Promise<void> {
  await sweepStackRuns();
}

export async function getApply(id: number): Promise<ApplyView> {
  await reapStaleRuns();
  const r = await db().stackApply.findUnique({ where: { id } });
  if (!r) throw new AppError("not_found", `apply run #${id} does not exist; GET /api/v1/stack/runs lists them`);
  const v = view(r);
  if (v.status === "interrupted" && !v.rollout?.readBack) return readBackInterrupted(v, r.rendered as unknown as RenderedObject[], r.config as unknown as StackConfig);
  return v;
}

/**
 * An interrupted run (its process died mid-step) says what the cluster now holds: each object is read live and dry-run
 * against this run's intent (the same comparison as the plan), once, by the first live process that shows it; the
 * objects still differing are what Resume applies, and the last good run is offered for rollback. When the cluster
 * cannot be read the run is shown without it and the next view tries again; a slow cluster does not hold the page
 * longer than a few seconds (the read-back is stored when it completes and shown on the next poll).
 */
const readingBack = new Map<number, Promise<ApplyView>>();

async function readBackInterrupted(v: ApplyView, rendered: RenderedObject[], config: StackConfig): Promise<ApplyView> {
  let work = readingBack.get(v.id);
  if (!work) {
    work = computeReadBack(v, rendered, config).finally(() => readingBack.delete(v.id));
    readingBack.set(v.id, work);
  }
  return Promise.race([work, new Promise<ApplyView>((r) => setTimeout(() => r(v), 8000).unref())]);
}

async function computeReadBack(v: ApplyView, rendered: RenderedObject[], config: StackConfig): Promise<ApplyView> {
  let objects: ReadBack["objects"];
  try {
    objects = await Promise.all(
      rendered.map(async (r) => {
        const p = await planObject(r);
        return { key: p.key, state: p.state, ...(p.message ? { message: p.message } : {}) };
      }),
    );
  } catch {
    return v;
  }
  if (objects.every((o) => o.state === "error")) return v; // the cluster did not answer: nothing learned
  const readBack: ReadBack = { at: new Date().toISOString(), objects, remaining: objects.filter((o) => o.state !== "in-sync").map((o) => o.key) };
  const rollout: RolloutRecord = { workloads: [], ...v.rollout, readBack, rollbackTo: v.rollout?.rollbackTo ?? (await lastGoodApply(v.id, config).catch(() => null)) };
  // only while still without a read-back: two processes looking at once store one
  await db()
    .$executeRaw`UPDATE "stack_applies" SET "rollout" = ${JSON.stringify(rollout)}::jsonb WHERE "id" = ${v.id} AND "rollout"->'readBack' IS NULL`
    .catch((e) => console.warn(`[stack.apply #${v.id}] could not store the read-back: ${e instanceof Error ? e.message : e}`));
  return { ...v, rollout };
}

export async function listApplies(opts: { limit?: number; before?: number } = {}) {
  await reapStaleRuns();
  const limit = Math.min(Math.max(opts.limit ?? 20, 1), 100);
  const rows = await db().stackApply.findMany({
    where: opts.before ? { id: { lt: opts.before } } : undefined,
    orderBy: { id: "desc" },
    take: limit + 1,
  });
  return {
    items: rows.slice(0, limit).map((r) => {
      const v = view(r, false);
      return { ...v, steps: undefined, stepCount: v.steps.length, rollout: undefined };
    }),
    nextBefore: rows.length > limit ? rows[limit - 1].id : null,
  };
}

/**
 * Rollback = that run's config becomes the new desired config, applied through the same path. `undo`: the run being
 * undone; its objects are re-applied too (with the old config), so an object that run changed but the target run did
 * not touch is restored as well. Everything that can refuse (either run missing, the lock) is decided before the
 * config revision is saved, and the save happens in the apply's own transaction.
 */
export async function startRollback(req: { user: string; toRun: number; undo?: number; takeOwnership?: boolean; rollout?: ApplyRequest["rollout"]; onDone?: ApplyRequest["onDone"] }) {
  const r = await db().stackApply.findUnique({ where: { id: req.toRun }, select: { id: true, configRevisionId: true, steps: true } });
  if (!r) throw new AppError("not_found", `apply run #${req.toRun} does not exist; GET /api/v1/stack/runs lists them`);
  const old = await configRevision(r.configRevisionId);
  // the same objects that run applied (a run limited to NodeLocal is rolled back as NodeLocal only)
  const objects = ((r.steps as unknown as ApplyStep[]) ?? []).map((s) => s.key);
  if (req.undo !== undefined) {
    const u = await db().stackApply.findUnique({ where: { id: req.undo }, select: { steps: true } });
    if (!u) throw new AppError("not_found", `apply run #${req.undo} does not exist; nothing was changed`);
    for (const s of (u.steps as unknown as ApplyStep[]) ?? []) if (!objects.includes(s.key)) objects.push(s.key);
  }
  // keep the apply order of the rendered stack
  const order = renderForApply(old.config).map((x) => objectKey(x.object));
  objects.sort((a, b) => order.indexOf(a) - order.indexOf(b));
  return startApply({
    user: req.user,
    saveConfig: { config: old.config, note: `rollback to the config of apply run #${r.id} (config revision ${old.id})` },
    takeOwnership: req.takeOwnership,
    kind: "rollback",
    rollbackOf: r.id,
    objects: objects.length ? objects : undefined,
    rollout: req.rollout,
    onDone: req.onDone,
  });
}

/** For tests and `?wait=true`: the promise of a run started by this process. */
export function runningApply(id: number): Promise<ApplyView> | undefined {
  return running.get(id);
}

export type { Obj };
