import "server-only";
import { z } from "zod";
import { count, int32Id } from "@/k8s/schemas";
import type { Ctx } from "@/server/auth/ctx";
import { verb, type VerbTools } from "@/server/verb";
import { getRun, listRuns, SYNC_KINDS, type SyncKind, type SyncRunView } from "./runs";
import { runSync } from "./service";

/**
 * The syncs as verbs (operator, audited): the page's buttons, the API and the CLI call these. The audit row is
 * written before anything is sent and settled with the run's outcome — ok, partial or failed — when the run ends,
 * also when it goes on in the background (`wait: false`).
 */

const TARGET: Record<SyncKind, string> = {
  zones: "technitium zones",
  "split-horizon": "technitium split horizon + rebinding protection",
  "resolver-settings": "technitium resolver settings",
};

function start(kind: SyncKind, ctx: Ctx, t: VerbTools, opts: { removeOrphans?: boolean; wait?: boolean }): Promise<SyncRunView> {
  t.target(TARGET[kind]);
  const settle = t.defer();
  const trigger = ctx.via === "cli" ? (ctx.identity.user.startsWith("cronjob:") ? "cronjob" : "cli") : "button";
  return runSync(kind, {
    trigger,
    user: ctx.identity.user,
    removeOrphans: opts.removeOrphans,
    wait: opts.wait,
    onDone: (run) => settle(run.status === "running" ? "failed" : run.status, { error: run.status === "ok" ? null : (run.error ?? run.summary), target: `${TARGET[kind]}: run #${run.id} ${run.status}` }),
  });
}

export const syncZones = verb(
  { name: "sync.zones", role: "operator", audit: true, input: z.object({ removeOrphans: z.boolean().optional(), wait: z.boolean().optional() }) },
  (ctx, input, t) => start("zones", ctx, t, input),
);

export const syncSplitHorizon = verb({ name: "sync.split-horizon", role: "operator", audit: true, input: z.object({ wait: z.boolean().optional() }) }, (ctx, input, t) =>
  start("split-horizon", ctx, t, input),
);

export const syncResolverSettings = verb({ name: "sync.resolver-settings", role: "operator", audit: true, input: z.object({ wait: z.boolean().optional() }) }, (ctx, input, t) =>
  start("resolver-settings", ctx, t, input),
);

export const SYNC_VERBS = { zones: syncZones, "split-horizon": syncSplitHorizon, "resolver-settings": syncResolverSettings } as const;

export const listSyncRuns = verb(
  { name: "sync.runs.list", role: "viewer", input: z.object({ kind: z.enum(SYNC_KINDS).optional(), page: count(1, 100_000).optional(), pageSize: count(1, 100).optional() }) },
  (_ctx, input) => listRuns(input),
);

export const getSyncRun = verb({ name: "sync.runs.get", role: "viewer", input: z.object({ id: int32Id }) }, (_ctx, input) => getRun(input.id));
