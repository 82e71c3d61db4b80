import "server-only";
import { db } from "@/server/db/client";
import { AppError } from "@/server/errors";
import type { Prisma } from "@/prisma/generated/client";
import { randomBytes } from "node:crypto";
import { holderText, qualify, release, renew, sweepSyncRuns, tryAcquire } from "@/server/runs/lease";
import { SHUTTING_DOWN, shuttingDown } from "@/server/lifecycle";

/**
 * Sync runs in PostgreSQL (table sync_runs): who, when, trigger, steps, results, outcome. Every entry point (button,
 * API, CLI, CronJob) goes through startRun/finishRun. The partial unique index sync_runs_kind_running_key allows one
 * running run per kind (a backstop; the lease "sync:<kind>" decides): a second start is refused with the running run's
 * id. A run left "running" by a killed process is marked interrupted within seconds (server/runs/lease.ts).
 */

/** "record": a record change and its proof (server/records); one at a time, like each sync kind. */
export const SYNC_KINDS = ["zones", "split-horizon", "resolver-settings", "record"] as const;
export type SyncKind = (typeof SYNC_KINDS)[number];
export type Trigger = "button" | "api" | "cli" | "cronjob";
export type RunStatus = "running" | "ok" | "partial" | "failed" | "interrupted";
export type StepStatus = "running" | "ok" | "warning" | "failed" | "skipped" | "interrupted";

export interface RunStep {
  name: string;
  status: StepStatus;
  message?: string;
  startedAt: string;
  finishedAt?: string;
}

export interface SyncRunView {
  id: number;
  kind: SyncKind;
  trigger: Trigger;
  createdBy: string;
  startedAt: string;
  finishedAt: string | null;
  status: RunStatus;
  options: unknown;
  steps: RunStep[];
  results: unknown;
  summary: string | null;
  error: string | null;
  /** Zone sync only, not stored: where the alerting metrics went (PUSHGATEWAY_URL), or why they did not. */
  metrics?: { pushedTo?: string; error?: string };
}

type Row = Awaited<ReturnType<ReturnType<typeof db>["syncRun"]["findFirstOrThrow"]>>;

export function toView(r: Row): SyncRunView {
  return {
    id: r.id,
    kind: r.kind as SyncKind,
    trigger: r.trigger as Trigger,
    createdBy: r.createdBy,
    startedAt: r.startedAt.toISOString(),
    finishedAt: r.finishedAt?.toISOString() ?? null,
    status: r.status as RunStatus,
    options: r.options ?? null,
    steps: (r.steps as unknown as RunStep[]) ?? [],
    results: r.results ?? null,
    summary: r.summary,
    error: r.error,
  };
}

function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; message?: string; cause?: { code?: string; originalCode?: string } };
  return e?.code === "P2002" || e?.cause?.originalCode === "23505" || /unique constraint|23505|sync_runs_kind_running_key/i.test(e?.message ?? "");
}

/** How many times (100 ms apart) a refused start looks for the run the lease holder is recording. */
const STARTING_POLLS = 15;

/** The running run of this kind, if any. */
export async function runningRun(kind: SyncKind): Promise<SyncRunView | null> {
  await sweepSyncRuns();
  const r = await db().syncRun.findFirst({ where: { kind, status: "running" } });
  return r ? toView(r) : null;
}

/**
 * Start a run or refuse (409 conflict, details.runningId) while another run of the same kind is running. The lease
 * "sync:<kind>" (server/runs/lease.ts) is taken first, across processes; a run a dead process left running is marked
 * interrupted by the new holder before its own run is recorded.
 */
export async function startRun(input: { kind: SyncKind; trigger: Trigger; createdBy: string; options?: unknown }): Promise<SyncRunView> {
  if (shuttingDown()) throw new AppError("unavailable", SHUTTING_DOWN);
  const name = `sync:${input.kind}`;
  const holder = qualify(`${input.createdBy}#${randomBytes(4).toString("hex")}`);
  const taken = await tryAcquire(name, holder, `${input.kind} sync`);
  if (!taken.ok) {
    await sweepSyncRuns(); // the holder may be gone: its run reads interrupted once its lease expired
    let running = await db().syncRun.findFirst({ where: { kind: input.kind, status: "running" } });
    // the holder took the lease a moment ago and is recording its run: wait briefly so the refusal can name the run
    // to follow (a click a few milliseconds after another's otherwise got "is starting" and nothing to open)
    for (let i = 0; !running && i < STARTING_POLLS; i++) {
      await new Promise((r) => setTimeout(r, 100));
      running = await db().syncRun.findFirst({ where: { kind: input.kind, status: "running" } });
    }
    const lock = await db().lock.findUnique({ where: { name } });
    const by = lock ? `, lock held by ${holderText(lock.holder)}` : "";
    if (!running) throw new AppError("conflict", `a ${input.kind} sync is starting${by}; wait a few seconds and follow its progress`);
    throw new AppError(
      "conflict",
      `a ${input.kind} sync is already running (run #${running.id}, started ${running.startedAt.toISOString()} by ${running.createdBy}${by}); wait for it to finish or follow its progress`,
      { runningId: running.id },
    );
  }
  try {
    await sweepSyncRuns({ kind: input.kind, previousHolder: taken.previous?.holder });
    const r = await db().syncRun.create({
      data: {
        kind: input.kind,
        trigger: input.trigger,
        createdBy: input.createdBy,
        status: "running",
        options: (input.options ?? undefined) as Prisma.InputJsonValue | undefined,
        steps: [],
      },
    });
    holders.set(r.id, { name, holder });
    await renew(name, holder, `${input.kind} sync #${r.id}`).catch(() => false);
    return toView(r);
  } catch (err) {
    await release(name, holder).catch(() => {});
    if (isUniqueViolation(err)) throw new AppError("conflict", `could not start a ${input.kind} sync: another one keeps starting; try again`);
    throw err;
  }
}

/** The lease of each run this process started (released when the run finishes). */
const holders = new Map<number, { name: string; holder: string }>();

export async function saveSteps(id: number, steps: RunStep[], results?: unknown): Promise<void> {
  await db().syncRun.update({
    where: { id },
    data: { steps: steps as unknown as Prisma.InputJsonValue, ...(results !== undefined ? { results: results as Prisma.InputJsonValue } : {}) },
  });
}

export async function finishRun(id: number, out: { status: Exclude<RunStatus, "running">; steps: RunStep[]; results?: unknown; summary?: string; error?: string }): Promise<SyncRunView> {
  try {
    const r = await db().syncRun.update({
      where: { id },
      data: {
        status: out.status,
        finishedAt: new Date(),
        steps: out.steps as unknown as Prisma.InputJsonValue,
        results: (out.results ?? undefined) as Prisma.InputJsonValue | undefined,
        summary: out.summary ?? null,
        error: out.error ?? null,
      },
    });
    return toView(r);
  } finally {
    // also when the outcome could not be written: the run then reads interrupted once the lease is gone
    const h = holders.get(id);
    if (h) {
      holders.delete(id);
      await release(h.name, h.holder).catch(() => {});
    }
  }
}

export async function getRun(id: number): Promise<SyncRunView> {
  await sweepSyncRuns();
  const r = await db().syncRun.findUnique({ where: { id } });
  if (!r) throw new AppError("not_found", `no sync run #${id}`);
  return toView(r);
}

export async function listRuns(q: { kind?: SyncKind; page?: number; pageSize?: number }): Promise<{ runs: SyncRunView[]; page: number; pageSize: number; total: number; pages: number }> {
  await sweepSyncRuns();
  const pageSize = Math.min(Math.max(q.pageSize ?? 20, 1), 100);
  const page = Math.max(q.page ?? 1, 1);
  const where = q.kind ? { kind: q.kind } : {};
  const [total, rows] = await Promise.all([
    db().syncRun.count({ where }),
    db().syncRun.findMany({ where, orderBy: { startedAt: "desc" }, skip: (page - 1) * pageSize, take: pageSize }),
  ]);
  return { runs: rows.map(toView), page, pageSize, total, pages: Math.max(1, Math.ceil(total / pageSize)) };
}
