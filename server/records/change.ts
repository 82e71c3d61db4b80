import "server-only";
import { canonicalValue, closestZone, fqdn, parseValue, type RecordData, reverseName } from "@/k8s/records";
import { AppError } from "@/server/errors";
import { productionContext, type SyncContext } from "@/server/sync/context";
import { Progress } from "@/server/sync/progress";
import { finishRun, saveSteps, startRun, type SyncRunView, type Trigger } from "@/server/sync/runs";
import { TechnitiumError } from "@/server/technitium/client";
import { dataOf, OWNER_WARNING, ownerOf, valueOf } from "./model";
import { type Expectation, prove } from "./proof";
import type { RecordChangeInput } from "./schema";
import type { TraceFn } from "./paths";
import { currentArchConfig } from "@/server/architecture/config";
import { nameKind } from "@/server/architecture/paths";
import { traceName } from "@/server/trace/trace";

/**
 * One record change, whatever asked for it (page, API, CLI): read the name on the primary, refuse what would
 * overwrite someone else's edit (409 with the current values), break CNAME exclusivity (400) or silently fight
 * another writer (409 naming the owner unless `force`); take the record-change lock (a run of kind "record" in
 * sync_runs), write on the primary (nothing is written anywhere when the primary does not answer), then prove it on
 * every instance (./proof.ts) with live steps, a verdict and the run kept in the history like the syncs.
 */
export interface ChangeOptions {
  trigger: Trigger;
  user: string;
  context?: SyncContext;
  deadlineMs?: number;
  onDone?: (run: SyncRunView) => Promise<void>;
  /** Trace the client paths after the instances agree (default: yes, with the live tracer, unless `context` is given). */
  paths?: boolean;
}

/** The live tracer and whether the name is internal, for the client-path proof; or why it cannot run. */
async function pathsProof(name: string): Promise<{ trace: TraceFn; kind: "internal" | "public" } | { error: string }> {
  try {
    const cfg = (await currentArchConfig()).config;
    return { trace: (i) => traceName(i), kind: nameKind(cfg, name) };
  } catch (err) {
    return { error: err instanceof Error ? err.message : String(err) };
  }
}

const must = (d: ReturnType<typeof parseValue>): RecordData => {
  if (!d.ok) throw new AppError("bad_request", d.error);
  return d.data;
};

function primaryDown(err: unknown): never {
  if (err instanceof TechnitiumError && err.down) throw new AppError("unavailable", `${err.message}: the primary did not answer, so nothing was written anywhere. Try again once it is back.`);
  throw err;
}

export async function changeRecord(input: RecordChangeInput, opts: ChangeOptions): Promise<{ run: SyncRunView; work: Promise<SyncRunView> }> {
  const ctx = opts.context ?? productionContext();
  const primary = ctx.apis[0];
  if (!primary) throw new AppError("unavailable", "no Technitium instances are configured (TECHNITIUM_INSTANCES)");
  const zone = input.zone.toLowerCase().replace(/\.$/, "");
  const full = fqdn(input.name, zone);
  const data = must(parseValue(input.type, input.value));
  const value = canonicalValue(input.type, input.value)!;

  const here = await primary.getRecords(zone, full).catch(primaryDown);
  if (here.zone.type !== "Primary") throw new AppError("bad_request", `${zone} is a ${here.zone.type} zone on ${primary.name}; records are changed on a Primary zone`);
  const sameType = here.records.filter((r) => r.type === input.type);
  const values = sameType.map(valueOf);

  // preconditions: what the editor saw is still there
  const target = input.op === "add" ? undefined : sameType.find((r) => valueOf(r) === canonicalValue(input.type, input.op === "update" ? input.current! : input.value));
  if (input.op !== "add" && !target)
    throw new AppError("conflict", `${full} ${input.type} is no longer ${input.op === "update" ? input.current : input.value}: someone changed it; it is now ${values.join(", ") || "absent"}`, { current: values });
  if (input.op === "add" && values.includes(value)) throw new AppError("conflict", `${full} ${input.type} ${value} already exists`, { current: values });
  if (input.op === "update" && values.includes(value) && value !== canonicalValue(input.type, input.current!))
    throw new AppError("conflict", `${full} ${input.type} already has ${value}; delete this one instead`, { current: values });

  // CNAME exclusivity (RFC 1034 §3.6.2), said before Technitium refuses it
  if (input.op === "add") {
    const others = here.records.filter((r) => r.type !== "CNAME" && r.type !== "SOA");
    if (input.type === "CNAME" && others.length) throw new AppError("bad_request", `a CNAME cannot sit next to other records: ${full} already has ${[...new Set(others.map((r) => r.type))].join(", ")}`, { fields: { type: "CNAME is exclusive" } });
    if (input.type === "CNAME" && sameType.length) throw new AppError("conflict", `${full} already has a CNAME (${values.join(", ")}); edit it instead`, { current: values });
    if (input.type !== "CNAME" && here.records.some((r) => r.type === "CNAME")) throw new AppError("bad_request", `${full} is a CNAME; a name with a CNAME can hold nothing else`, { fields: { name: "is a CNAME" } });
  }

  // another writer
  const owned = (input.op === "add" ? here.records : target ? [target] : []).map((r) => ownerOf(r.comments)).find((o) => OWNER_WARNING[o]);
  if (owned && !input.force) throw new AppError("conflict", `${full} is written by ${owned}: ${OWNER_WARNING[owned]} Send force to change it anyway.`, { owner: owned, needsForce: true });

  // the paired PTR: the closest reverse zone on the primary
  let ptr: Expectation["ptr"];
  if ((input.type === "A" || input.type === "AAAA") && (input.ptr || input.op === "delete")) {
    const ip = (data as { ipAddress: string }).ipAddress;
    const rname = reverseName(ip);
    const zones = (await primary.listZones().catch(primaryDown)).filter((z) => z.internal !== true && z.type === "Primary").map((z) => z.name);
    const rz = rname ? closestZone(rname, zones) : undefined;
    if (input.ptr && (!rname || !rz)) throw new AppError("bad_request", `no reverse zone on ${primary.name} holds ${rname ?? ip}; create it first or add the record without its PTR`, { fields: { ptr: "no reverse zone" } });
    if (rname && rz) {
      const existing = await primary.getRecords(rz, rname).catch(() => null);
      const names = existing?.records.filter((r) => r.type === "PTR").map(valueOf) ?? [];
      // delete: Technitium removes the PTR itself when it names this host (reference §6.5)
      if (input.op !== "delete" || names.includes(`${full}.`)) ptr = { reverseZone: rz, name: rname, ptrName: full, absent: input.op === "delete" };
    }
  }

  const progress = new Progress();
  let run = await startRun({ kind: "record", trigger: opts.trigger, createdBy: opts.user, options: { op: input.op, zone, name: input.name, fqdn: full, type: input.type, value, current: input.current, ptr: !!ptr } });
  progress.onChange = (steps) => saveSteps(run.id, steps);

  const label = `${input.op} ${full} ${input.type} ${value}${input.op === "update" ? ` (was ${input.current})` : ""}`;
  try {
    await progress.step(`write on ${primary.name}: ${label}`, async (s) => {
      const meta = { ttl: input.ttl, comments: input.comments ?? (input.op === "add" ? `dnsdeck: added by ${opts.user}` : target?.comments), ptr: input.ptr };
      if (input.op === "add") await primary.addRecord(zone, full, data, meta);
      else if (input.op === "update") await primary.updateRecord(zone, full, dataOf(target!)!, data, { ...meta, disable: target!.disabled, expiryTtl: target!.expiryTtl });
      else await primary.deleteRecord(zone, full, data);
      s.done("ok", ptr && !ptr.absent ? `with its PTR ${ptr.name} in ${ptr.reverseZone}` : ptr?.absent ? `Technitium also removed its PTR ${ptr.name}` : undefined);
    });
  } catch (err) {
    await progress.flush();
    const message = err instanceof Error ? err.message : String(err);
    // the caller's audit row is settled from the thrown error (the verb does it)
    run = await finishRun(run.id, { status: "failed", steps: progress.steps, summary: `nothing changed: ${message}`, error: message });
    if (err instanceof TechnitiumError && err.down) primaryDown(err);
    throw err;
  }

  const old = input.op === "update" ? canonicalValue(input.type, input.current!)! : undefined;
  const expectation: Expectation = {
    zone,
    name: input.name,
    type: input.type,
    present: input.op === "delete" ? values.filter((v) => v !== value) : [...values.filter((v) => v !== old), value],
    absent: input.op === "delete" ? [value] : old && old !== value ? [old] : [],
    ptr,
  };
  const work = (async () => {
    let done: SyncRunView;
    try {
      const paths = (opts.paths ?? !opts.context) ? await pathsProof(full) : undefined;
      const out = await prove(ctx, expectation, progress, { deadlineMs: opts.deadlineMs, paths });
      await progress.flush();
      done = await finishRun(run.id, { status: out.status, steps: progress.steps, results: { items: out.items, primarySerial: out.primarySerial, ptr: ptr ?? null, paths: out.paths ?? null }, summary: out.summary, error: out.error });
    } catch (err) {
      await progress.flush();
      const message = err instanceof Error ? err.message : String(err);
      done = await finishRun(run.id, { status: "partial", steps: progress.steps, summary: `written on ${primary.name}; the proof failed: ${message}`, error: message });
    }
    await opts.onDone?.(done).catch(() => {});
    return done;
  })();
  return { run: { ...run, steps: progress.steps }, work };
}
