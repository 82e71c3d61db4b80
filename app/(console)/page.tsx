import Link from "next/link";
import { Suspense } from "react";
import type { Estate } from "@/server/architecture/estate";
import { formatCount, formatDuration } from "@/server/architecture/graph";
import { getOverview } from "@/server/architecture/verbs";
import { pageContext } from "@/server/auth/page-context";
import { ConsistencySummarySection } from "./consistency-summary";
import { HealthSummarySection } from "./health-summary";

export const dynamic = "force-dynamic";

type Card = { title: string; value: string; detail?: string; health: "ok" | "warn" | "bad"; href: string; action?: string };

/** The stack at a glance, from the same live readers as the architecture graph; each source may fail alone. */
function glance(e: Estate): Card[] {
  const cards: Card[] = [];
  const nl = e.nodeLocal;
  if (!nl?.ok) cards.push({ title: "NodeLocal DNSCache", value: "unknown", detail: nl?.error, health: "warn", href: "/stack" });
  else if (!nl.value.deployed)
    cards.push({ title: "NodeLocal DNSCache", value: "not deployed", detail: "pods query CoreDNS directly", health: "warn", href: "/stack", action: "Deploy it from Stack" });
  else {
    // what DNS answers on each node (server/architecture/probes.ts), as the architecture graph colours it
    const silent = nl.value.nodes.filter((n) => n.ready && e.probes?.nodeLocal[n.node] && !e.probes.nodeLocal[n.node].skipped && !e.probes.nodeLocal[n.node].ok);
    cards.push({
      title: "NodeLocal DNSCache",
      value: `${nl.value.ready - silent.length}/${nl.value.desired} nodes answer`,
      detail: [...nl.value.nodes.filter((n) => !n.ready).map((n) => `${n.node} not ready`), ...silent.map((n) => `${n.node} ready but DNS ${e.probes!.nodeLocal[n.node].text}`)].join(", ") || "every node caches",
      health: nl.value.ready === nl.value.desired && !silent.length ? "ok" : "bad",
      href: "/stack",
    });
  }
  const cd = e.coreDns;
  cards.push(
    cd?.ok
      ? { title: "CoreDNS", value: `${cd.value.ready}/${cd.value.desired} ready`, health: cd.value.ready >= cd.value.desired ? "ok" : cd.value.ready > 0 ? "warn" : "bad", href: "/coredns" }
      : { title: "CoreDNS", value: "unknown", detail: cd?.error, health: "warn", href: "/coredns" },
  );
  const t = e.technitium;
  if (t?.ok) {
    const up = t.value.filter((i) => i.up).length;
    const down = t.value.filter((i) => !i.up);
    const behind = t.value.filter((i) => (i.outOfStep?.length ?? 0) > 0);
    // zones are "in step" only when every instance was read and agrees; a down replica's zones are unknown
    const step = [
      ...down.map((i) => `${i.name} down (zones unknown)`),
      ...(behind.length ? [`${behind.map((i) => i.name).join(", ")} out of step`] : []),
    ];
    cards.push({
      title: "Technitium",
      value: `${up}/${t.value.length} up`,
      detail: step.join(" · ") || "zones in step",
      health: up < t.value.length ? "bad" : behind.length ? "warn" : "ok",
      href: "/technitium",
      action: behind.length ? "Sync zones" : undefined,
    });
  } else cards.push({ title: "Technitium", value: "unknown", detail: t?.error, health: "warn", href: "/technitium" });
  const cj = e.cronJobs;
  if (cj?.ok) {
    // the DNS stack's jobs only, as the CronJobs tab lists them; phpIPAM's (namespace phpipam) are not dnsdeck's
    const mine = cj.value.filter((c) => c.managed !== false);
    const failed = mine.filter((c) => c.lastRun === "failed");
    cards.push({
      title: "CronJobs",
      value: failed.length ? `${failed.length} failed` : "all ok",
      detail: failed.map((c) => c.name).join(", ") || `${mine.length} jobs${mine[0] ? ` in ${mine[0].namespace}` : ""}`,
      health: failed.length ? "bad" : "ok",
      href: "/technitium",
    });
  }
  const ql = e.queryLogs;
  cards.push(
    ql?.ok
      ? {
          title: "Query logs",
          value: `~${formatCount(ql.value.rows)} rows`,
          detail: ql.value.lagSeconds !== undefined ? `newest ${formatDuration(ql.value.lagSeconds)} ago` : undefined,
          health: (ql.value.lagSeconds ?? 0) > 900 ? "warn" : "ok",
          href: "/query-logs",
        }
      : { title: "Query logs", value: "unavailable", detail: ql?.error, health: "warn", href: "/query-logs" },
  );
  return cards;
}

export default async function Overview() {
  const ctx = await pageContext("/");
  const { readiness: r, estate } = await getOverview(ctx);
  return (
    <>
      <h1>Overview</h1>
      <p className="lede">The DNS stack at a glance, and what dnsdeck can reach right now.</p>
      <h2>Stack</h2>
      <section className="cards" aria-label="Stack at a glance">
        {glance(estate).map((c) => (
          <Link key={c.title} href={c.href} className={`card ${c.health === "ok" ? "ok" : c.health === "bad" ? "bad" : "warn"}`} data-testid={`glance-${c.title}`} style={{ color: "inherit" }}>
            <div className="card-title">{c.title}</div>
            <div className="card-value">{c.value}</div>
            {c.detail && <div className="muted small">{c.detail}</div>}
            {c.action && <div className="small" style={{ color: "var(--accent)" }}>{c.action} →</div>}
          </Link>
        ))}
      </section>
      <h2>
        Health <Link href="/health" className="small">details →</Link>
      </h2>
      <Suspense fallback={<p className="muted"><span className="spinner" /> reading Prometheus and Technitium…</p>}>
        <HealthSummarySection ctx={ctx} />
      </Suspense>
      <h2>
        Records and Split Horizon <Link href="/zones#consistency" className="small">report →</Link>
      </h2>
      <Suspense fallback={<p className="muted"><span className="spinner" /> comparing the zones and the public answers…</p>}>
        <ConsistencySummarySection ctx={ctx} />
      </Suspense>
      <h2>Dependencies</h2>
      <section className="cards" aria-label="Dependencies">
        {r.dependencies.map((d) => (
          <div key={d.name} className={`card ${d.ok ? "ok" : "bad"}`} data-testid={`dep-${d.name}`}>
            <div className="card-title">{d.name}</div>
            <div className="card-value">{d.ok ? "reachable" : "down"}</div>
            {d.detail && <div className="muted">{d.detail}</div>}
            {d.error && <div className="error-text">{d.error}</div>}
          </div>
        ))}
      </section>
    </>
  );
}
