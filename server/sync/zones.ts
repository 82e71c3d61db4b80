import { type TechnitiumApi, TechnitiumError, type TechnitiumZone } from "@/server/technitium/client";
import type { Progress } from "./progress";
import type { RunStatus } from "./runs";

/**
 * Zone sync (the zone-sync CronJob's job, done properly; reference §2.15). One code path for the button, the API,
 * the CLI and the CronJob:
 *  1. read the primary's zones (non-internal Primary); primary unreachable → stop, no replica touched;
 *  2. per replica (in parallel, one failing does not stop the others): diff zones/list case-insensitively;
 *     missing → create Secondary pointing at the primary's DNS address; existing non-Secondary → conflict, untouched;
 *     Secondary with a lagging serial, syncFailed or isExpired → resync;
 *  3. wait (bounded) for the transfers; 4. verify serials against a fresh read of the primary;
 *  5. orphans (zones on a replica that the primary no longer has) reported, deleted only with removeOrphans.
 */

export type ZoneOutcome = "created" | "resynced" | "in-step" | "conflict" | "failed";

export interface ZoneResult {
  zone: string;
  replica: string;
  outcome: ZoneOutcome;
  primarySerial?: number;
  replicaSerial?: number;
  message?: string;
}

export interface OrphanResult {
  zone: string;
  replica: string;
  type: string;
  action: "reported" | "removed" | "kept" | "failed";
  message?: string;
}

export interface ZoneSyncResults {
  primary: string;
  primaryAddresses: string[];
  zones: string[];
  results: ZoneResult[];
  orphans: OrphanResult[];
  zoneCounts: Record<string, number | null>;
}

export interface ZoneSyncOptions {
  removeOrphans?: boolean;
  /** How long to wait for transfers before verifying (default 30 s). */
  waitTimeoutMs?: number;
  pollMs?: number;
}

export interface ZoneSyncOutcome {
  status: Exclude<RunStatus, "running">;
  summary: string;
  error?: string;
  results: ZoneSyncResults;
}

const key = (name: string) => name.toLowerCase().replace(/\.$/, "");
const isUserPrimary = (z: TechnitiumZone) => z.type === "Primary" && z.internal !== true;
const userZoneCount = (zones: TechnitiumZone[]) => zones.filter((z) => z.internal !== true).length;
const errMsg = (err: unknown) => (err instanceof Error ? err.message : String(err));
const isDown = (err: unknown) => err instanceof TechnitiumError && err.down;

export async function syncZones(
  apis: TechnitiumApi[],
  primaryAddresses: string[],
  progress: Progress,
  opts: ZoneSyncOptions = {},
): Promise<ZoneSyncOutcome> {
  const [primary, ...replicas] = apis;
  const results: ZoneResult[] = [];
  const orphans: OrphanResult[] = [];
  const zoneCounts: Record<string, number | null> = Object.fromEntries(apis.map((a) => [a.name, null]));
  const out = (status: ZoneSyncOutcome["status"], summary: string, error?: string, zones: string[] = []): ZoneSyncOutcome => ({
    status,
    summary,
    error,
    results: { primary: primary.name, primaryAddresses, zones, results, orphans, zoneCounts },
  });

  // 1. primary
  let primaryZones: TechnitiumZone[];
  const s1 = progress.begin(`Read zones on primary ${primary.name}`);
  try {
    const all = await primary.listZones();
    zoneCounts[primary.name] = userZoneCount(all);
    primaryZones = all.filter(isUserPrimary);
    s1.done("ok", `${primaryZones.length} primary zones: ${primaryZones.map((z) => z.name).join(", ") || "none"}`);
  } catch (err) {
    const reason = `the primary (${primary.name}) is unreachable or refused the call: ${errMsg(err)}; no replica was touched`;
    s1.done("failed", reason);
    return out("failed", reason, reason);
  }
  if (primaryAddresses.length === 0) {
    const reason = `the primary's DNS address is unknown, so replicas cannot be pointed at it; no replica was touched`;
    progress.begin("Find the primary's DNS address").done("failed", reason);
    return out("failed", reason, reason, primaryZones.map((z) => z.name));
  }
  const primaryByKey = new Map(primaryZones.map((z) => [key(z.name), z]));
  const zoneNames = primaryZones.map((z) => z.name);

  // 2. replicas in parallel
  const pendingTransfer = new Map<string, Set<string>>(); // replica → zone keys created/resynced
  const downReplicas = new Map<string, string>();
  await Promise.all(
    replicas.map(async (rep) => {
      const s = progress.begin(`Replica ${rep.name}: compare and create/resync`);
      const mine: ZoneResult[] = [];
      const push = (r: ZoneResult) => (mine.push(r), results.push(r));
      let repZones: TechnitiumZone[];
      try {
        repZones = await rep.listZones();
        zoneCounts[rep.name] = userZoneCount(repZones);
      } catch (err) {
        const m = errMsg(err);
        downReplicas.set(rep.name, m);
        for (const z of primaryZones) push({ zone: z.name, replica: rep.name, outcome: "failed", primarySerial: z.soaSerial, message: m });
        s.done("failed", `could not list zones: ${m}`);
        return;
      }
      const repByKey = new Map(repZones.map((z) => [key(z.name), z]));
      const transfers = new Set<string>();
      pendingTransfer.set(rep.name, transfers);
      for (const pz of primaryZones) {
        const k = key(pz.name);
        const rz = repByKey.get(k);
        const base = { zone: pz.name, replica: rep.name, primarySerial: pz.soaSerial, replicaSerial: rz?.soaSerial };
        const down = downReplicas.get(rep.name);
        if (down) {
          push({ ...base, outcome: "failed", message: `not attempted: ${rep.name} became unreachable (${down})` });
          continue;
        }
        if (!rz) {
          s.note(`creating ${pz.name}`);
          try {
            await rep.createSecondaryZone(pz.name, primaryAddresses);
            transfers.add(k);
            push({ ...base, outcome: "created", message: `created as Secondary of ${primaryAddresses.join(", ")}` });
          } catch (err) {
            if (isDown(err)) downReplicas.set(rep.name, errMsg(err));
            push({ ...base, outcome: "failed", message: `create failed: ${errMsg(err)}` });
          }
          continue;
        }
        if (rz.type !== "Secondary") {
          push({ ...base, outcome: "conflict", message: `exists on ${rep.name} as ${rz.type}, not Secondary; left untouched (delete or convert it by hand)` });
          continue;
        }
        const lagging = rz.soaSerial !== pz.soaSerial || rz.syncFailed === true || rz.isExpired === true;
        if (!lagging) {
          push({ ...base, outcome: "in-step" });
          continue;
        }
        s.note(`resyncing ${pz.name}`);
        try {
          await rep.resyncZone(pz.name);
          transfers.add(k);
          const why = rz.syncFailed ? "last transfer failed" : rz.isExpired ? "zone expired" : `serial ${rz.soaSerial} behind primary ${pz.soaSerial}`;
          push({ ...base, outcome: "resynced", message: `resync requested (${why})` });
        } catch (err) {
          if (isDown(err)) downReplicas.set(rep.name, errMsg(err));
          push({ ...base, outcome: "failed", message: `resync failed: ${errMsg(err)}` });
        }
      }
      // orphans
      for (const rz of repZones) {
        if (rz.internal === true || primaryByKey.has(key(rz.name))) continue;
        if (rz.type !== "Secondary") {
          orphans.push({ zone: rz.name, replica: rep.name, type: rz.type, action: "kept", message: `not on the primary; a ${rz.type} zone is never removed by zone sync` });
          continue;
        }
        if (!opts.removeOrphans) {
          orphans.push({ zone: rz.name, replica: rep.name, type: rz.type, action: "reported", message: "not on the primary any more; remove it by running zone sync with orphan removal" });
          continue;
        }
        try {
          if (downReplicas.has(rep.name)) throw new Error(`${rep.name} unreachable`);
          await rep.deleteZone(rz.name);
          orphans.push({ zone: rz.name, replica: rep.name, type: rz.type, action: "removed" });
        } catch (err) {
          orphans.push({ zone: rz.name, replica: rep.name, type: rz.type, action: "failed", message: errMsg(err) });
        }
      }
      const c = (o: ZoneOutcome) => mine.filter((r) => r.outcome === o).length;
      const text = `created ${c("created")}, resynced ${c("resynced")}, in step ${c("in-step")}, conflict ${c("conflict")}, failed ${c("failed")}`;
      s.done(c("failed") ? "failed" : c("conflict") ? "warning" : "ok", downReplicas.has(rep.name) ? `${text}; ${rep.name} unreachable: ${downReplicas.get(rep.name)}` : text);
    }),
  );

  // 3. wait for transfers
  const waitTotal = [...pendingTransfer.values()].reduce((n, s) => n + s.size, 0);
  const sWait = progress.begin(`Wait for transfers (${waitTotal})`);
  const deadline = Date.now() + (opts.waitTimeoutMs ?? 30_000);
  const latest = new Map<string, Map<string, TechnitiumZone>>();
  let freshPrimary = primaryByKey;
  const inStep = (pz: TechnitiumZone | undefined, rz: TechnitiumZone | undefined) =>
    !!pz && !!rz && rz.type === "Secondary" && rz.soaSerial === pz.soaSerial && rz.isExpired !== true;
  if (waitTotal > 0) {
    for (;;) {
      let waiting = 0;
      for (const rep of replicas) {
        const t = pendingTransfer.get(rep.name);
        if (!t || t.size === 0 || downReplicas.has(rep.name)) continue;
        try {
          const m = new Map((await rep.listZones()).map((z) => [key(z.name), z]));
          latest.set(rep.name, m);
          for (const k of t) if (!inStep(freshPrimary.get(k), m.get(k))) waiting++;
        } catch (err) {
          downReplicas.set(rep.name, errMsg(err));
        }
      }
      if (waiting === 0) break;
      sWait.note(`${waiting} transfer(s) still running`);
      if (Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, opts.pollMs ?? 500));
      try {
        freshPrimary = new Map((await primary.listZones()).filter(isUserPrimary).map((z) => [key(z.name), z]));
      } catch {
        /* keep the previous primary view; verify reports it */
      }
    }
  }
  sWait.done("ok", waitTotal ? "transfers finished or wait ended" : "nothing to wait for");

  // 4. verify
  const sVerify = progress.begin("Verify serials against the primary");
  try {
    freshPrimary = new Map((await primary.listZones()).filter(isUserPrimary).map((z) => [key(z.name), z]));
  } catch (err) {
    sVerify.note(`primary re-read failed (${errMsg(err)}); comparing with the first read`);
  }
  for (const rep of replicas) {
    if (!pendingTransfer.has(rep.name)) continue; // never listed: results already failed
    let m = latest.get(rep.name);
    if (!downReplicas.has(rep.name)) {
      try {
        const zs = await rep.listZones();
        zoneCounts[rep.name] = userZoneCount(zs);
        m = new Map(zs.map((z) => [key(z.name), z]));
      } catch (err) {
        downReplicas.set(rep.name, errMsg(err));
      }
    }
    for (const r of results) {
      if (r.replica !== rep.name || r.outcome === "failed" || r.outcome === "conflict") continue;
      const pz = freshPrimary.get(key(r.zone)) ?? primaryByKey.get(key(r.zone));
      const rz = m?.get(key(r.zone));
      r.primarySerial = pz?.soaSerial;
      if (rz) r.replicaSerial = rz.soaSerial;
      if (downReplicas.has(rep.name) && r.outcome !== "in-step") {
        r.outcome = "failed";
        r.message = `${r.message ?? ""}; could not verify: ${rep.name} unreachable (${downReplicas.get(rep.name)})`.replace(/^; /, "");
        continue;
      }
      if (!inStep(pz, rz)) {
        const why = !rz
          ? "zone not present after create"
          : rz.syncFailed
            ? "the transfer failed (syncFailed); check the primary's zone transfer ACL allows this replica"
            : rz.isExpired
              ? "no transfer completed yet (zone still expired)"
              : `serial ${rz.soaSerial} still behind primary ${pz?.soaSerial}`;
        r.outcome = "failed";
        r.message = `${r.message ? `${r.message}; ` : ""}not in step after waiting: ${why}`;
      }
    }
  }
  const failed = results.filter((r) => r.outcome === "failed");
  const conflicts = results.filter((r) => r.outcome === "conflict");
  sVerify.done(failed.length ? "failed" : conflicts.length ? "warning" : "ok", failed.length ? failed.map((r) => `${r.zone} on ${r.replica}`).join(", ") + " not in step" : "every replica matches the primary's serials");

  // orphans step (summary)
  if (orphans.length) {
    const s = progress.begin(`Orphan zones (${orphans.length})`);
    s.done(
      orphans.some((o) => o.action === "failed") ? "failed" : "warning",
      orphans.map((o) => `${o.zone} on ${o.replica}: ${o.action}`).join("; "),
    );
  }

  const order = replicas.map((r) => r.name);
  results.sort((a, b) => order.indexOf(a.replica) - order.indexOf(b.replica) || a.zone.localeCompare(b.zone));
  orphans.sort((a, b) => order.indexOf(a.replica) - order.indexOf(b.replica) || a.zone.localeCompare(b.zone));
  const count = (o: ZoneOutcome) => results.filter((r) => r.outcome === o).length;
  const total = results.length;
  const status: ZoneSyncOutcome["status"] = total > 0 && failed.length === total ? "failed" : failed.length || conflicts.length ? "partial" : "ok";
  const summary =
    `${zoneNames.length} zones × ${replicas.length} replicas: created ${count("created")}, resynced ${count("resynced")}, in step ${count("in-step")}, ` +
    `conflict ${count("conflict")}, failed ${count("failed")}` +
    (failed.length ? ` (failed: ${failed.map((r) => `${r.zone} on ${r.replica}`).join(", ")})` : "") +
    (orphans.length ? `; orphans: ${orphans.map((o) => `${o.zone} on ${o.replica} (${o.action})`).join(", ")}` : "");
  const error = status === "ok" ? undefined : failed.length ? failed.map((r) => `${r.zone} on ${r.replica}: ${r.message}`).join("; ") : conflicts.map((r) => `${r.zone} on ${r.replica}: ${r.message}`).join("; ");
  return out(status, summary, error, zoneNames);
}
