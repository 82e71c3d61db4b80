import Link from "next/link";
import type { Ctx } from "@/server/auth/ctx";
import { zonesConsistency } from "@/server/records/verbs";

/** How many findings of a kind, in short words (singular, plural). */
const SHORT: Record<string, [string, string]> = {
  "a-without-ptr": ["A without PTR", "A records without PTR"],
  "ptr-without-a": ["PTR without A", "PTRs without A"],
  "ptr-other-host": ["PTR names another host", "PTRs name other hosts"],
  "cname-dangling": ["CNAME into nothing", "CNAMEs into nothing"],
  "instance-differs": ["replica differs", "replicas differ"],
};
const short = (kind: string, n: number) => `${n} ${(SHORT[kind] ?? [kind, kind])[n === 1 ? 0 : 1]}`;

function horizonLine(p: { kind: string; instance?: string; names: string[] }): string {
  const n = `${p.names.length} name${p.names.length === 1 ? "" : "s"}`;
  if (p.kind === "ip-changed") return `the public IP changed: ${n} not translated`;
  if (p.kind === "stripped") return `${p.instance}: rebinding strips the answer (${n})`;
  if (p.kind === "not-translated") return `${p.instance}: LAN gets the public IP (${n})`;
  return `${p.instance}: configs unreadable`;
}

/** Overview's word on records and Split Horizon (the Zones page's consistency report, summed up). Streams in. */
export async function ConsistencySummarySection({ ctx }: { ctx: Ctx }) {
  const { records, splitHorizon } = await zonesConsistency(ctx, {});
  const warn = records.ok ? records.value.findings.filter((f) => f.severity === "warn") : [];
  const behind = records.ok ? records.value.findings.filter((f) => f.severity === "info").length : 0;
  const sh = splitHorizon.ok ? splitHorizon.value : null;
  const lanNames = sh ? sh.names.filter((n) => n.kind === "non-proxied").length : 0;
  const problems = sh ? sh.problems.filter((p) => p.kind !== "config-unreadable").length : 0;
  return (
    <section className="cards" aria-label="Records and Split Horizon" data-testid="consistency-summary">
      <Link href="/zones#consistency" className={`card ${!sh ? "warn" : sh.verdict === "problems" ? "bad" : sh.verdict === "ok" ? "ok" : "warn"}`} style={{ color: "inherit" }} data-testid="summary-split-horizon">
        <div className="card-title">Split Horizon for LAN</div>
        <div className="card-value">{!sh ? "unknown" : sh.verdict === "ok" ? `${lanNames} names translated` : sh.verdict === "problems" ? `${problems} problem${problems === 1 ? "" : "s"}` : "unknown"}</div>
        <div className="muted small">{!splitHorizon.ok ? splitHorizon.error : sh!.problems.map(horizonLine).join(" · ") || `public IP ${sh!.publicIps.join(", ") || "?"} → internal on every instance`}</div>
      </Link>
      <Link href="/zones#consistency" className={`card ${!records.ok ? "warn" : warn.length ? "warn" : "ok"}`} style={{ color: "inherit" }} data-testid="summary-records">
        <div className="card-title">Records consistency</div>
        <div className="card-value">{!records.ok ? "unknown" : warn.length ? `${warn.length} to look at` : "consistent"}</div>
        <div className="muted small">{!records.ok ? records.error : warn.length ? [...new Set(warn.map((f) => f.kind))].map((k) => short(k, warn.filter((f) => f.kind === k).length)).join(" · ") : `${records.value.records} records, PTRs paired${behind ? ` · ${behind} replica cop${behind === 1 ? "y" : "ies"} behind` : ""}`}</div>
      </Link>
    </section>
  );
}
