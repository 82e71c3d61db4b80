import "server-only";
import { randomBytes } from "node:crypto";
import { db } from "@/server/db/client";
import { AppError } from "@/server/errors";
import { requireKube } from "@/server/kube/config";
import { configRevision, currentConfig, validateConfig } from "../config-store";
import { objectKey } from "../fields";
import { acquireLock, refreshLock, releaseLock } from "../lock";
import { renderForApply } from "../render";
import { RunRecord, stepsFor } from "./record";
import { runApply } from "./run";
import type { ApplyRequest, ApplyStep, ApplyView } from "./types";

/**
 * Apply = server-side apply of the rendered stack, one object at a time in dependency order, with dnsdeck's field
 * manager, under one PostgreSQL lock; workloads are followed through their rollout with a DNS health gate; a
 * Corefile change is verified through every hop. Every step is persisted as it happens (the page polls it), and the
 * run ends ok / failed / partial with exactly which objects were applied. Applying again is idempotent (SSA).
 */

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
  const kind = req.kind ?? "apply";
  const steps = stepsFor(rendered);
  const holder = `${req.user}#${randomBytes(4).toString("hex")}`;
  await acquireLock(holder, `${kind} of config revision ${rev.id ?? "(new)"}`);
  let id: number;
  try {
    const row = await db().$transaction(async (tx) => {
      const revId = toSave ? (await tx.stackConfigRevision.create({ data: { config: config as object, createdBy: req.user, note: toSave.note } })).id : rev.id!;
      return tx.stackApply.create({
        data: {
          kind,
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
    await refreshLock(holder, `${kind} #${id} of config revision ${row.configRevisionId}`);
  } catch (err) {
    await releaseLock(holder).catch(() => {});
    throw err;
  }
  const record = new RunRecord(id, steps, { holder, operation: `${kind} #${id}` });
  const done = runApply(record, config, rendered, req, holder);
  done.catch(() => {});
  return { id, done };
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
