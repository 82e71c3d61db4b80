import "server-only";
import type { StackConfig } from "@/k8s/config";
import type { RenderedObject } from "@/k8s/types";
import { db } from "@/server/db/client";
import { AppError } from "@/server/errors";
import { view } from "./history";
import { markDeadRunsInterrupted, readBackInterrupted } from "./recovery";
import type { ApplyView } from "./types";

/** Reading apply runs: one run (polled by the page while it runs) and the history, newest first. */

export async function getApply(id: number): Promise<ApplyView> {
  await markDeadRunsInterrupted();
  const r = await db().stackApply.findUnique({ where: { id } });
  if (!r) throw new AppError("not_found", `apply run #${id} does not exist; GET /api/v1/stack/runs lists them`);
  const v = view(r);
  if (v.status === "interrupted" && !v.rollout?.readBack) return readBackInterrupted(v, r.rendered as unknown as RenderedObject[], r.config as unknown as StackConfig);
  return v;
}

export async function listApplies(opts: { limit?: number; before?: number } = {}) {
  await markDeadRunsInterrupted();
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
