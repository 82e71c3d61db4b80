import "server-only";
import { db } from "@/server/db/client";
import type { MarkerKind, TimelineMarker } from "./types";

/**
 * What changed, from dnsdeck's own records, as markers for the charts: every apply and rollback (a Corefile change
 * when it wrote the CoreDNS or NodeLocal ConfigMap), every sync run (a CronJob run when the CronJob ran it), and every
 * "Run now" of a CronJob. Bounded: at most MAX markers per range, newest kept. Each marker names the run it opens.
 */
export const MAX_MARKERS = 200;
const COREFILE = /^ConfigMap kube-system\/(coredns|node-local-dns)$/;

export async function timeline(from: Date, to: Date): Promise<{ markers: TimelineMarker[]; truncated: boolean }> {
  const [applies, runs, cron] = await Promise.all([
    db().stackApply.findMany({
      where: { createdAt: { gte: from, lte: to } },
      orderBy: { createdAt: "desc" },
      take: MAX_MARKERS + 1,
      select: { id: true, kind: true, createdAt: true, createdBy: true, status: true, applied: true, rollbackOf: true },
    }),
    db().syncRun.findMany({
      where: { startedAt: { gte: from, lte: to } },
      orderBy: { startedAt: "desc" },
      take: MAX_MARKERS + 1,
      select: { id: true, kind: true, trigger: true, startedAt: true, createdBy: true, status: true },
    }),
    db().auditEvent.findMany({
      where: { action: "cronjobs.run", at: { gte: from, lte: to } },
      orderBy: { at: "desc" },
      take: MAX_MARKERS + 1,
      select: { id: true, at: true, user: true, result: true, target: true },
    }),
  ]);
  const markers: TimelineMarker[] = [];
  for (const a of applies) {
    const corefile = a.applied.some((k) => COREFILE.test(k));
    const kind: MarkerKind = a.kind === "rollback" ? "rollback" : corefile ? "corefile" : "apply";
    const what = a.kind === "rollback" ? `rollback${a.rollbackOf ? ` of #${a.rollbackOf}` : ""}` : corefile ? "apply (Corefile changed)" : "apply";
    markers.push({ id: `apply-${a.id}`, kind, at: a.createdAt.toISOString(), label: `#${a.id} ${what} by ${a.createdBy}`, status: a.status, href: `/api/v1/stack/runs/${a.id}` });
  }
  for (const r of runs) {
    const kind: MarkerKind = r.trigger === "cronjob" ? "cronjob" : "sync";
    markers.push({ id: `sync-${r.id}`, kind, at: r.startedAt.toISOString(), label: `${r.kind} sync #${r.id} (${r.trigger}) by ${r.createdBy}`, status: r.status, href: `/api/v1/sync/runs/${r.id}` });
  }
  for (const c of cron) {
    markers.push({ id: `cron-${c.id}`, kind: "cronjob", at: c.at.toISOString(), label: `Run now: ${c.target ?? "CronJob"} by ${c.user}`, status: c.result, href: `/audit?action=cronjobs.run` });
  }
  markers.sort((a, b) => b.at.localeCompare(a.at));
  return { markers: markers.slice(0, MAX_MARKERS).reverse(), truncated: markers.length > MAX_MARKERS };
}
