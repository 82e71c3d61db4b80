import "server-only";
import { env } from "@/server/env";
import { AppError, toAppError } from "@/server/errors";
import { metricsFromRun, pushMetrics, pushUrl, renderZoneSyncMetrics } from "./metrics";
import { syncResolverSettings, syncSplitHorizon } from "./apps";
import { productionContext, type SyncContext } from "./context";
import { DesiredConfigError, desiredAppConfigs, desiredResolver } from "./desired";
import { Progress } from "./progress";
import { finishRun, saveSteps, startRun, type SyncKind, type SyncRunView, type Trigger } from "./runs";
import { syncZones } from "./zones";

/**
 * The one entry point every trigger uses (button, API, CLI, CronJob): validate the desired config (refused before
 * anything is sent), take the per-kind lock (a running run of the same kind → 409 naming its id), run the steps with
 * live progress persisted, store the outcome; a zone sync then pushes the alerting metrics (PUSHGATEWAY_URL).
 */

export interface RunOptions {
  trigger: Trigger;
  user: string;
  removeOrphans?: boolean;
  /** false: return as soon as the run is recorded and keep going in the background (the page polls the run). */
  wait?: boolean;
  waitTimeoutMs?: number;
  context?: SyncContext;
  /** Called with the finished run (also when it went on in the background): the verb settles its audit row. */
  onDone?: (run: SyncRunView) => Promise<void>;
}

export async function runSync(kind: SyncKind, opts: RunOptions): Promise<SyncRunView> {
  const ctx = opts.context ?? productionContext();
  if (ctx.apis.length === 0) throw new AppError("unavailable", "no Technitium instances are configured (TECHNITIUM_INSTANCES)");

  // Validate before anything is sent or recorded.
  const tech = await ctx.desired();
  let prepared: () => Promise<Awaited<ReturnType<typeof syncZones>> | Awaited<ReturnType<typeof syncSplitHorizon>>>;
  const progress = new Progress();
  try {
    if (kind === "split-horizon") {
      const desired = desiredAppConfigs(tech);
      prepared = () => syncSplitHorizon(ctx.apis, desired, progress);
    } else if (kind === "resolver-settings") {
      const desired = desiredResolver(tech);
      prepared = async () => syncResolverSettings(ctx.apis, desired, await safeAddresses(ctx), progress);
    } else {
      prepared = async () => syncZones(ctx.apis, await safeAddresses(ctx), progress, { removeOrphans: opts.removeOrphans, waitTimeoutMs: opts.waitTimeoutMs });
    }
  } catch (err) {
    if (err instanceof DesiredConfigError) throw new AppError("bad_request", `${err.message}. Fix it in the stack config, then sync again.`, err.problems);
    throw err;
  }

  let run: SyncRunView;
  try {
    run = await startRun({ kind, trigger: opts.trigger, createdBy: opts.user, options: kind === "zones" ? { removeOrphans: !!opts.removeOrphans } : undefined });
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError("unavailable", `${toAppError(err).message.replace(/; nothing was changed.*$/, "")}, so the ${kind} sync cannot be recorded or locked; nothing was changed. Try again once it is back.`);
  }
  progress.onChange = (steps) => saveSteps(run.id, steps);

  const work = (async (): Promise<SyncRunView> => {
    const finished = async (run: SyncRunView) => {
      await opts.onDone?.(run).catch(() => {});
      return run;
    };
    try {
      const out = await prepared();
      await progress.flush();
      const done = await finishRun(run.id, { status: out.status, steps: progress.steps, results: out.results, summary: out.summary, error: out.error });
      return finished(kind === "zones" ? { ...done, metrics: await pushZoneMetrics(done) } : done);
    } catch (err) {
      await progress.flush();
      const message = err instanceof Error ? err.message : String(err);
      const done = await finishRun(run.id, { status: "failed", steps: progress.steps, summary: `failed: ${message}`, error: message });
      return finished(kind === "zones" ? { ...done, metrics: await pushZoneMetrics(done) } : done);
    }
  })();
  if (opts.wait === false) {
    work.catch((err) => console.error(`[sync ${kind} #${run.id}] could not record the outcome`, err));
    return { ...run, steps: progress.steps };
  }
  return work;
}

/**
 * Every zone sync, whatever triggered it, feeds the alerts (TechnitiumZoneSyncFailed/Stale/CountMismatch) when
 * PUSHGATEWAY_URL is set. Best effort: a Pushgateway outage never fails the sync.
 */
async function pushZoneMetrics(run: SyncRunView): Promise<SyncRunView["metrics"]> {
  const url = env().PUSHGATEWAY_URL;
  if (!url) return undefined;
  try {
    await pushMetrics(url, renderZoneSyncMetrics(metricsFromRun(run)));
    return { pushedTo: pushUrl(url) };
  } catch (err) {
    const error = `could not push metrics to ${pushUrl(url)}: ${err instanceof Error ? err.message : String(err)}`;
    console.error(`[sync zones #${run.id}] ${error}`);
    return { error };
  }
}

async function safeAddresses(ctx: SyncContext): Promise<string[]> {
  try {
    return await ctx.primaryTransferAddresses();
  } catch {
    return [];
  }
}
