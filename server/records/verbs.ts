import "server-only";
import { z } from "zod";
import { isHostName, RECORD_TYPES } from "@/k8s/records";
import { safeText } from "@/k8s/schemas";
import type { Ctx } from "@/server/auth/ctx";
import { productionContext } from "@/server/sync/context";
import type { SyncRunView } from "@/server/sync/runs";
import { verb, type VerbTools } from "@/server/verb";
import { changeRecord } from "./change";
import { listRecords } from "./list";
import { recordChange, recordChangeFor, type RecordChangeInput, zoneName } from "./schema";
import { zonesView } from "./zones";
import { consistencyReport, horizonReport, MAX_HORIZON_NAMES } from "./report";
import { horizonChangeSchema, withHorizonChange } from "./horizon-fix";
import { AppError } from "@/server/errors";
import { currentArchConfig } from "@/server/architecture/config";
import { currentConfig, saveConfig } from "@/server/stack/config-store";
import { DesiredConfigError, desiredAppConfigs } from "@/server/sync/desired";
import { runSync } from "@/server/sync/service";

/**
 * The Zones and Records verbs: viewers read, operators change (audited before anything is sent, settled with the
 * proof's verdict — ok, partial or failed). The page, `/api/v1/zones…` and the CLI (`dnsdeck record …`) call these.
 */

export const listZones = verb({ name: "zones.list", role: "viewer" }, async () => zonesView(productionContext()));

export const listZoneRecords = verb(
  {
    name: "zones.records.list",
    role: "viewer",
    input: z.object({ zone: zoneName, name: safeText(253).optional(), type: z.enum(RECORD_TYPES).or(z.enum(["SOA"])).optional(), q: safeText(253).optional() }),
  },
  async (_ctx, input) => listRecords(productionContext(), input),
);

const trigger = (ctx: Ctx) => (ctx.via === "cli" ? "cli" : ctx.via === "route" ? "api" : "button");

async function change(ctx: Ctx, input: RecordChangeInput, t: VerbTools): Promise<SyncRunView> {
  forgetConsistency();
  t.target(`record ${input.op} ${input.name === "@" ? input.zone : `${input.name}.${input.zone}`} ${input.type}`);
  const settle = t.defer();
  const { run, work } = await changeRecord(input, {
    trigger: trigger(ctx),
    user: ctx.identity.user,
    onDone: (r) => settle(r.status === "running" || r.status === "interrupted" ? "failed" : r.status, { error: r.status === "ok" ? null : (r.error ?? r.summary), target: `record ${input.op} ${input.name}.${input.zone} ${input.type}: run #${r.id} ${r.status}` }),
  });
  if (input.wait) return work;
  work.catch((err) => console.error(`[record change #${run.id}] could not record the outcome`, err));
  return run;
}

/** Any change (`op` in the body): the page and the CLI. */
export const changeZoneRecord = verb({ name: "zones.records.change", role: "operator", audit: true, input: recordChange }, change);
export const addZoneRecord = verb({ name: "zones.records.add", role: "operator", audit: true, input: recordChangeFor("add") }, change);
export const updateZoneRecord = verb({ name: "zones.records.update", role: "operator", audit: true, input: recordChangeFor("update") }, change);
export const deleteZoneRecord = verb({ name: "zones.records.delete", role: "operator", audit: true, input: recordChangeFor("delete") }, change);

const extraNames = z
  .string()
  .max(2000)
  .transform((s) => s.split(/[\s,]+/).map((n) => n.trim().toLowerCase().replace(/\.$/, "")).filter(Boolean))
  .refine((ns) => ns.length <= MAX_HORIZON_NAMES, `at most ${MAX_HORIZON_NAMES} names`)
  .refine((ns) => ns.every(isHostName), "must be host names such as immich.viktorbarzin.me, separated by commas or spaces");

type ConsistencyResult = {
  records: { ok: true; value: Awaited<ReturnType<typeof consistencyReport>> } | { ok: false; error: string };
  splitHorizon: { ok: true; value: Awaited<ReturnType<typeof horizonReport>> } | { ok: false; error: string };
};
/**
 * Overview's summary reuses a report up to 20 s old as it is, and up to 2 min old while a fresh one is read in the
 * background (stale-while-revalidate: the next Overview gets it); the Zones page always asks for a fresh one.
 */
const FRESH_MS = 20_000;
const STALE_MS = 120_000;
const last = globalThis as unknown as { __dnsdeckConsistency?: { at: number; result: Promise<ConsistencyResult>; refreshing?: boolean } };

/** A change dnsdeck makes ends the reuse of the last report (Overview then reads anew). */
const forgetConsistency = () => void (last.__dnsdeckConsistency = undefined);

async function readConsistency(names: string[]): Promise<ConsistencyResult> {
  const ctx = productionContext();
  const settle = <T>(p: Promise<T>) => p.then((value) => ({ ok: true as const, value }), (err: unknown) => ({ ok: false as const, error: err instanceof Error ? err.message : String(err) }));
  const [records, splitHorizon] = await Promise.all([settle(consistencyReport(ctx)), settle(horizonReport(ctx, names))]);
  return { records, splitHorizon };
}

/**
 * The consistency report (viewer): the records' PTR pairs, CNAME chains and replicas' copies, and Split Horizon against
 * the public answers. The two halves are read side by side; one that cannot be read says why without hiding the other.
 * Overview reuses a recent report (see FRESH_MS / STALE_MS; one read in flight is shared); `fresh=1` (the Zones page) reads anew.
 */
export const zonesConsistency = verb(
  { name: "zones.consistency", role: "viewer", input: z.object({ names: extraNames.optional(), fresh: z.enum(["0", "1"]).optional() }) },
  async (_ctx, input) => {
    const names = input.names ?? [];
    const reusable = !names.length && input.fresh !== "1";
    const hit = last.__dnsdeckConsistency;
    const age = hit ? Date.now() - hit.at : Infinity;
    if (reusable && hit && age < STALE_MS) {
      if (age >= FRESH_MS && !hit.refreshing) {
        hit.refreshing = true;
        const next = readConsistency([]);
        next.then(() => void (last.__dnsdeckConsistency = { at: Date.now(), result: next }), () => void (hit.refreshing = false));
      }
      return hit.result;
    }
    const result = readConsistency(names);
    if (!names.length) last.__dnsdeckConsistency = { at: Date.now(), result };
    return result;
  },
);

/**
 * The Split Horizon change the report offers when the desired config itself is wrong (the public IP changed, the
 * domain missing from privateDomains): admin, as saving the stack config is. Step 1 saves it as a new config revision
 * (refused with 409 if the config changed since the report was read), step 2 starts the existing Split Horizon sync;
 * if step 2 cannot start, the answer says step 1 is done and how to finish.
 */
export const fixSplitHorizon = verb({ name: "zones.split-horizon.fix", role: "admin", audit: true, input: horizonChangeSchema }, async (ctx, input, t) => {
  const current = await currentConfig();
  if (current.id !== input.baseRevision)
    throw new AppError("conflict", `the stack config changed since the report was read (now ${current.id === null ? "the defaults" : `revision ${current.id} by ${current.createdBy}`}); check again and retry`, { current: current.id });
  const made = withHorizonChange(current.config, input, (await currentArchConfig()).config.lanNetwork);
  if ("error" in made) throw new AppError("bad_request", made.error);
  try {
    desiredAppConfigs(made.config.technitium);
  } catch (err) {
    throw new AppError("bad_request", err instanceof DesiredConfigError ? err.message : String(err));
  }
  t.target(`stack config: ${made.note}`);
  const rev = await saveConfig(made.config, ctx.identity.user, made.note);
  forgetConsistency();
  const settle = t.defer();
  try {
    const run = await runSync("split-horizon", {
      trigger: "button",
      user: ctx.identity.user,
      wait: input.wait,
      onDone: (r) => settle(r.status === "running" || r.status === "interrupted" ? "failed" : r.status, { error: r.status === "ok" ? null : (r.error ?? r.summary), target: `stack config revision ${rev.id} (${made.note}) + split horizon sync: run #${r.id} ${r.status}` }),
    });
    return { revision: { id: rev.id, note: rev.note }, run };
  } catch (err) {
    const e = err instanceof AppError ? err : new AppError("unavailable", err instanceof Error ? err.message : String(err));
    throw new AppError(e.code, `step 1 of 2 done: saved stack config revision ${rev.id} (${made.note}). Step 2 failed: the Split Horizon sync could not start: ${e.message}. Run it from Technitium → Split Horizon sync to finish.`);
  }
});
