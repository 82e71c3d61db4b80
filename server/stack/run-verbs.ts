import "server-only";
import { z } from "zod";
import { count, int32Id, k8sName, safeText } from "@/k8s/schemas";
import { verb } from "@/server/verb";
import { getApply, listApplies } from "./apply/read";
import { startApply, startRollback } from "./apply/start";
import type { ApplyView } from "./apply/types";
import { configRevision, currentConfig } from "./config-store";
import { currentLock, displayHolder, processOf } from "./lock";
import { planStack } from "./plan";
import { restartWorkload } from "./restart";

/** Plan, apply, roll back, restart and their history: the stack's verbs (reads: viewer; changes: admin, audited). */

const objectKey = safeText(300);

export const planStackVerb = verb(
  {
    name: "stack.plan",
    role: "viewer",
    input: z.object({
      revision: int32Id.optional(),
      objects: safeText(10_000)
        .optional()
        .transform((s) => (s ? s.split(",").map((x) => x.trim()).filter(Boolean) : undefined))
        .pipe(z.array(objectKey).max(100).optional()),
    }),
  },
  async (_ctx, input) => {
    const rev = input.revision ? await configRevision(input.revision) : await currentConfig();
    const plan = await planStack(rev.config, { keys: input.objects });
    return { configRevision: { id: rev.id, createdAt: rev.createdAt, createdBy: rev.createdBy, note: rev.note }, ...plan };
  },
);

const started = (view: ApplyView, wait: boolean | undefined, done: Promise<ApplyView>) => (wait ? done : Promise.resolve({ ...view, poll: `/api/v1/stack/runs/${view.id}` }));

export const applyStack = verb(
  {
    name: "stack.apply",
    role: "admin",
    audit: true,
    input: z.object({
      revision: int32Id.optional(),
      takeOwnership: z.boolean().optional(),
      objects: z.array(objectKey).min(1, "name at least one object, or leave objects out to apply the whole stack").max(100).optional(),
      /** Verify resolution through every hop afterwards even when no Corefile changes (Resume of an interrupted verification). */
      verify: z.boolean().optional(),
      /** Wait for the run to finish before answering (automation); the UI polls instead. */
      wait: z.boolean().optional(),
    }),
  },
  async (ctx, input, t) => {
    const settle = t.defer();
    const { id, done } = await startApply({
      user: ctx.identity.user,
      revision: input.revision,
      takeOwnership: input.takeOwnership === true,
      objects: input.objects,
      verify: input.verify === true,
      onDone: (o) => settle(o.status === "running" || o.status === "interrupted" ? "failed" : o.status, { error: o.error, target: `apply run #${id}: ${o.status}, applied ${o.applied}/${o.steps}` }),
    });
    t.target(`apply run #${id}${input.takeOwnership ? " (take ownership)" : ""}`);
    return started(await getApply(id), input.wait, done);
  },
);

export const rollbackStack = verb(
  {
    name: "stack.rollback",
    role: "admin",
    audit: true,
    input: z.object({
      /** The earlier apply run whose config becomes the desired config again. */
      toRun: int32Id,
      /** The run being undone: its objects are re-applied with the old config too. */
      undo: int32Id.optional(),
      takeOwnership: z.boolean().optional(),
      wait: z.boolean().optional(),
    }),
  },
  async (ctx, input, t) => {
    const settle = t.defer();
    const { id, done } = await startRollback({
      user: ctx.identity.user,
      toRun: input.toRun,
      undo: input.undo,
      takeOwnership: input.takeOwnership === true,
      onDone: (o) => settle(o.status === "running" || o.status === "interrupted" ? "failed" : o.status, { error: o.error, target: `apply run #${id} (rollback to the config of apply run #${input.toRun}): ${o.status}` }),
    });
    t.target(`apply run #${id} (rollback to the config of apply run #${input.toRun})`);
    return started(await getApply(id), input.wait, done);
  },
);

export const getApplyRun = verb({ name: "stack.run", role: "viewer", input: z.object({ id: int32Id }) }, (_ctx, input) => getApply(input.id));

export const listApplyRuns = verb({ name: "stack.runs", role: "viewer", input: z.object({ limit: count(1, 100).optional(), before: int32Id.optional() }) }, (_ctx, input) =>
  listApplies(input),
);

export const getStackLock = verb({ name: "stack.lock", role: "viewer" }, async () => {
  const l = await currentLock();
  return { lock: l ? { holder: displayHolder(l.holder), process: processOf(l.holder), operation: l.operation, acquiredAt: l.acquiredAt, expiresAt: l.expiresAt } : null };
});

export const restartStackWorkload = verb(
  { name: "stack.restart", role: "admin", audit: true, input: z.object({ kind: z.enum(["DaemonSet", "Deployment"]), namespace: k8sName.max(63), name: k8sName }) },
  async (ctx, input, t) => {
    t.target(`${input.kind} ${input.namespace}/${input.name}`);
    return restartWorkload({ user: ctx.identity.user, ...input });
  },
);
