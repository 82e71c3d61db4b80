/**
 * The architecture graph: the seed document's diagram, generated from the stack config and live state. Pure.
 * Every live string goes through quotedLabel (escaped); every id is dnsdeck's own. The numbers that move on every read
 * (rates, ages, lag, row estimate) are placeholders in the source and values in `live` (mermaid-text.ts, "Live
 * values"): the source stays the same from one refresh to the next while the state does, and the browser reuses its
 * drawing.
 */
import type { ArchConfig, CronJobState, Estate, GraphNode, Live, TechnitiumState } from "./estate";
import { type Health, HEALTH_CLASSDEFS, type LiveValue, type LiveValues, LiveLine, classLines, edgeLabel, makeIdFactory, quotedLabel, reservedWidth } from "./mermaid-text";
import { metricHealth, rateText, sumRates, upstreamHealth, worse } from "./traffic";
import type { EdgeRate } from "@/server/prometheus/types";
import type { ProbeResult } from "./probes";

export interface ArchitectureGraph {
  mermaid: string;
  nodes: GraphNode[];
  /** The values for the source's placeholders, by token (mermaid-text.ts: fillLiveText, fillLiveSource). */
  live: LiveValues;
}

/**
 * Placeholder lengths each kind of value may reserve (reservedWidth): room for the widest usual value of the kind, so
 * the placeholder changes only when a value outgrows it. A rate: " · 9999 q/s", or with errors " · 999 q/s, 99.9% err"
 * (the tier moves when errors appear or go, as the node colours may); rows "1234.5M"; a lag "999d"; an age "999d ago".
 */
const WIDTH = { rate: [9, 17], rows: [6], lag: [5], ago: [8] } as const;

/** Hands out the graph's live values: a token each, in the order the graph is built (the same order every read). */
type LiveValueOf = (value: string, tiers: readonly number[]) => LiveValue;

const MANAGE = { stack: "/stack", coredns: "/coredns", technitium: "/technitium", queryLogs: "/query-logs" } as const;

export function buildArchitectureGraph(cfg: ArchConfig, estate: Estate, now: Date = new Date()): ArchitectureGraph {
  const nodes: GraphNode[] = [];
  const live: LiveValues = {};
  const liveIds = makeIdFactory("v");
  const value: LiveValueOf = (text, tiers) => {
    const token = liveIds();
    live[token] = text;
    return { token, value: text, width: reservedWidth(text, [...tiers]) };
  };
  const lines: string[] = ["graph TB"];
  const add = (id: string, lbl: unknown[], health: Health, extra: Partial<GraphNode> = {}) => {
    nodes.push({ id, label: lbl.map(String).join(" · "), health, ...extra });
    return `${id}${quotedLabel(lbl)}`;
  };
  const sub = (id: string, title: string, body: string[]) => {
    lines.push(`  subgraph ${id}${quotedLabel([title])}`, ...body.map((b) => `    ${b}`), "  end");
  };

  // Live rates (Prometheus), when configured: edge labels and the metric side of node colours.
  const t = estate.traffic?.ok ? estate.traffic.value : null;
  /**
   * An edge's label with its rate as a live value. While Prometheus answers, every such edge has the placeholder,
   * with or without traffic (an empty value then): an edge going quiet or busy does not change the source. The
   * separator is part of the value, so a quiet edge reads as before, its fixed label alone.
   */
  const withRate = (label: string | undefined, r: EdgeRate | null | undefined): string | LiveLine | undefined => {
    if (!t) return label;
    const text = rateText(r);
    return new LiveLine([label ?? "", value(label && text ? ` · ${text}` : text, WIDTH.rate)]);
  };
  const pfIps = [cfg.pfSense.k8sVlanIp, cfg.pfSense.mgmtVlanIp];
  const techTarget = (to: string) => to === `${cfg.technitiumClusterIp}:53`;
  const pfTarget = (to: string) => pfIps.some((ip) => to === `${ip}:53`);

  // External, LAN, pfSense: not observed live by dnsdeck — drawn from the config, health unknown (pfSense's dnsmasq
  // from CoreDNS's forward metrics when Prometheus is there).
  sub("gExternal", "External", [
    add("internet", ["Internet Clients"], "unknown"),
    add("cf", ["Cloudflare DNS", "~50 domains", "viktorbarzin.me"], "unknown", { details: { managedBy: "Terraform (stacks/cloudflared)" } }),
    add("cftunnel", ["Cloudflared Tunnel", "3 replicas"], "unknown"),
  ]);
  sub("gLan", `LAN (${cfg.lanNetwork})`, [add("lan", ["LAN Clients", "WiFi / Wired"], "unknown"), add("tplink", ["TP-Link AP", "Dumb AP only"], "unknown")]);
  sub("gPfsense", `pfSense (${cfg.pfSense.k8sVlanIp})`, [
    add("pfdnsmasq", ["dnsmasq", "Forwarder"], upstreamHealth(t, pfIps), { details: { address: cfg.pfSense.k8sVlanIp, ...(t?.failingUpstreams.some(pfTarget) ? { "health checks": "failing" } : {}) } }),
    add("pfkea", ["Kea DHCP4"], "unknown"),
    add("pfddns", ["Kea DHCP-DDNS", "RFC 2136"], "unknown"),
    add("pfnat", ["NAT rdr", `UDP 53 to Technitium ${cfg.technitiumLbIp}`], "unknown"),
  ]);

  const k8s: string[] = [add("pods", ["K8s Pods", `nameserver ${cfg.kubeDnsIp}`, `ndots ${cfg.clusterNdots}`], "unknown")];
  const pr = estate.probes;
  const nl = nodeLocalNode(cfg, estate);
  const nlHealth = worse(nl.deployed && t?.nodeLocal ? worse(nl.health, metricHealth(t.nodeLocal)) : nl.health, probeHealth(Object.values(pr?.nodeLocal ?? {})));
  k8s.push(add("nodelocal", nl.label, nlHealth, { details: { ...nl.details, ...rateDetails(t?.nodeLocal) }, href: MANAGE.stack }));
  const cd = coreDnsNode(cfg, estate);
  const cdHealth = worse(t?.coreDns ? worse(cd.health, metricHealth(t.coreDns)) : cd.health, probeHealth(Object.values(pr?.coreDns ?? {})));
  k8s.push(add("coredns", withProbeLine(cd.label, Object.values(pr?.coreDns ?? {})), cdHealth, { details: { ...cd.details, ...probeDetails(pr?.coreDns), ...rateDetails(t?.coreDns) }, href: MANAGE.coredns }));
  const up = upstreamNode(cfg, estate, nl.deployed);
  const upProbes = pr?.upstream ? [pr.upstream] : [];
  k8s.push(add("kubednsup", withProbeLine(up.label, upProbes), worse(up.health, probeHealth(upProbes)), { details: { ...up.details, ...probeDetails(pr?.upstream && { [pr.upstream.server]: pr.upstream }) }, href: MANAGE.stack }));

  const techIds = makeIdFactory("tech");
  const tech = technitiumNodes(cfg, estate.technitium).map((t) => ({ ...t, id: techIds() }));
  const techLines = tech.map((t) => {
    const p = pr?.technitium[t.name] ? [pr.technitium[t.name]] : [];
    return add(t.id, withProbeLine(t.label, p), worse(t.health, probeHealth(p)), { details: { ...t.details, ...probeDetails(p.length ? { [p[0].server]: p[0] } : undefined) }, href: MANAGE.technitium });
  });
  k8s.push(`subgraph gTech${quotedLabel([`Technitium HA (namespace: ${cfg.technitiumNamespace})`])}`, ...techLines.map((l) => `  ${l}`), "end");
  const lb = serviceNode(estate.lbService, "LoadBalancer", cfg.technitiumLbIp, "ETP=Local", (s) => s.externalIps?.includes(cfg.technitiumLbIp) ?? false);
  const lbProbes = pr?.lb ? [pr.lb] : [];
  k8s.push(add("lb", withProbeLine(lb.label, lbProbes), worse(lb.health, probeHealth(lbProbes)), { details: { ...lb.details, ...probeDetails(pr?.lb && { [pr.lb.server]: pr.lb }) }, href: MANAGE.stack }));
  const cip = serviceNode(estate.clusterIpService, "ClusterIP", cfg.technitiumClusterIp, "pinned", (s) => s.clusterIp === cfg.technitiumClusterIp);
  const cipProbes = pr?.clusterIp ? [pr.clusterIp] : [];
  k8s.push(add("clusterip", withProbeLine(cip.label, cipProbes), worse(cip.health, probeHealth(cipProbes)), { details: { ...cip.details, ...probeDetails(pr?.clusterIp && { [pr.clusterIp.server]: pr.clusterIp }) }, href: MANAGE.stack }));

  const cronIds = makeIdFactory("cron");
  const crons = cronNodes(cfg, estate.cronJobs, now, value).map((c) => ({ ...c, id: cronIds() }));
  k8s.push(`subgraph gCron${quotedLabel(["Automation CronJobs"])}`, ...crons.map((c) => `  ${add(c.id, c.label, c.health, { details: c.details, href: MANAGE.stack })}`), "end");
  const ql = queryLogNode(estate.queryLogs, value);
  k8s.push(add("querylogs", ql.label, ql.health, { details: ql.details, href: MANAGE.queryLogs }));

  const publicFwd = cfg.coreDnsForwarders.filter((f) => f !== cfg.pfSense.k8sVlanIp && f !== cfg.pfSense.mgmtVlanIp);
  if (publicFwd.length) k8s.push(add("fallback", ["Fallback forwarders", publicFwd.join(", ")], t ? upstreamHealth(t, publicFwd) : "unknown"));
  sub("gK8s", "Kubernetes Cluster", k8s);

  const e = (a: string, b: string, label?: string | LiveLine) => lines.push(`  ${a} -->${label ? edgeLabel(label) : ""} ${b}`);
  e("internet", "cf", "DNS query");
  e("cf", "cftunnel", "CNAME to tunnel");
  e("lan", "pfnat", "DNS query UDP 53");
  e("pfnat", "lb", "forward");
  e("pfkea", "pfddns", "lease event");
  e("pfddns", "lb", "A + PTR");
  e("pfdnsmasq", "lb", `.${cfg.internalZone}`);
  e("pfdnsmasq", "cf", "public queries");
  const nlMiss = t ? sumRates(t.nodeLocalForwards, (to) => !techTarget(to) && !pfTarget(to)) : null;
  if (nl.deployed) {
    e("pods", "nodelocal", withRate(`${cfg.kubeDnsIp} (intercepted)`, t?.nodeLocal));
    e("nodelocal", "kubednsup", withRate("cache miss", nlMiss));
    e("kubednsup", "coredns", withRate(undefined, nlMiss));
    // Zones NodeLocal forwards straight to the Technitium ClusterIP skip CoreDNS (seed commit: viktorbarzin.lan).
    const direct = cfg.nodeLocalZones.filter((z) => Array.isArray(z.forward) && z.forward.includes(cfg.technitiumClusterIp)).map((z) => (z.zone === "." ? "all names" : `.${z.zone}`));
    if (direct.length) e("nodelocal", "clusterip", withRate(`${direct.join(", ")} (bypasses CoreDNS)`, t ? sumRates(t.nodeLocalForwards, techTarget) : null));
  } else {
    e("pods", "coredns", withRate(`kube-dns ${cfg.kubeDnsIp}`, t?.coreDns));
  }
  e("coredns", "clusterip", withRate(`.${cfg.internalZone}`, t ? sumRates(t.coreDnsForwards, techTarget) : null));
  const viaPf = cfg.coreDnsForwarders.includes(cfg.pfSense.k8sVlanIp) || cfg.coreDnsForwarders.includes(cfg.pfSense.mgmtVlanIp);
  if (viaPf) e("coredns", "pfdnsmasq", withRate(`public queries${cfg.coreDnsForwarders.length > 1 ? " (1st of " + cfg.coreDnsForwarders.length + ")" : ""}`, t ? sumRates(t.coreDnsForwards, pfTarget) : null));
  if (publicFwd.length) e("coredns", "fallback", withRate(viaPf ? "fallback" : "public queries", t ? sumRates(t.coreDnsForwards, (to) => publicFwd.some((ip) => to === `${ip}:53`)) : null));
  for (const t of tech) {
    e("lb", t.id);
    e("clusterip", t.id);
    lines.push(`  ${t.id} -.->${edgeLabel("query log")} querylogs`);
  }
  // The CronJobs stacked in one column (invisible links), not a row as wide as the cluster: the DNS path keeps the
  // middle of the drawing and fits the default view with labels at a readable size (issue 17).
  for (let i = 1; i < crons.length; i++) lines.push(`  ${crons[i - 1].id} ~~~ ${crons[i].id}`);
  const zoneSync = crons.find((c) => c.name.endsWith("zone-sync"));
  if (zoneSync)
    for (const t of tech) e(zoneSync.id, t.id, t.primary ? "AXFR" : "replicate");

  lines.push(...HEALTH_CLASSDEFS.map((c) => `  ${c}`), ...classLines(nodes).map((c) => `  ${c}`));
  return { mermaid: lines.join("\n") + "\n", nodes, live };
}

interface Part {
  label: unknown[];
  health: Health;
  details: GraphNode["details"];
}

function nodeLocalNode(cfg: ArchConfig, estate: Estate): Part & { deployed: boolean } {
  const s = estate.nodeLocal;
  const base = ["NodeLocal DNSCache", `${cfg.linkLocalIp} + ${cfg.kubeDnsIp}`];
  if (!s) return { label: [...base, "state not read"], health: "unknown", details: {}, deployed: true };
  if (!s.ok) return { label: [...base, "state unknown"], health: "unknown", details: { error: s.error }, deployed: true };
  const v = s.value;
  if (!v.deployed) return { label: ["NodeLocal DNSCache", "not deployed"], health: "unknown", details: { deployed: false }, deployed: false };
  const health: Health = v.desired > 0 && v.ready >= v.desired ? "healthy" : v.ready > 0 ? "degraded" : "down";
  const probes = estate.probes?.nodeLocal ?? {};
  const dns = (node: string) => {
    const p = probes[node];
    return p && !p.skipped ? (p.ok ? "" : `, DNS ${p.text.startsWith("no answer") ? "silent" : p.text}`) : "";
  };
  const perNode = v.nodes.map((n) => `${n.node} ${n.ready ? "ready" : "NOT ready"}${dns(n.node)}`);
  const details: GraphNode["details"] = { deployed: true, ready: v.ready, desired: v.desired };
  for (const n of v.nodes) details[`node ${n.node}`] = `${n.ready ? "ready" : "not ready"}${probes[n.node] ? ` · DNS ${probes[n.node].text}` : ""}`;
  return { label: [...base, `DaemonSet ${v.ready}/${v.desired} ready`, ...perNode], health, details, deployed: true };
}

/**
 * Health from what the probes got: every sent probe answered = healthy, none = down, some = degraded; nothing sent
 * (no address, not in DNS_ADDRESS_MAP) = unknown, which never overrides readiness (worse() ranks unknown lowest).
 */
export function probeHealth(ps: ProbeResult[]): Health {
  const sent = ps.filter((p) => !p.skipped);
  if (!sent.length) return "unknown";
  const ok = sent.filter((p) => p.ok).length;
  return ok === sent.length ? "healthy" : ok === 0 ? "down" : "degraded";
}

/** A label line naming the probes that failed ("DNS: no answer" / "DNS: 1/2 silent"), none when all answered. */
function withProbeLine(label: unknown[], ps: ProbeResult[]): unknown[] {
  const sent = ps.filter((p) => !p.skipped);
  const bad = sent.filter((p) => !p.ok);
  if (!bad.length) return label;
  const what = bad.every((p) => p.text.startsWith("no answer")) ? "silent" : bad[0].text;
  return [...label, sent.length === 1 ? `DNS ${what}` : `DNS ${what} at ${bad.length}/${sent.length}`];
}

function probeDetails(ps: Record<string, ProbeResult> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(ps ?? {}).map(([k, p]) => [`DNS ${k}`, `${p.type} ${p.name}: ${p.text}`]));
}

function coreDnsNode(cfg: ArchConfig, estate: Estate): Part {
  const s = estate.coreDns;
  const base = ["CoreDNS", "kube-system", `.:53 + ${cfg.internalZone}:53`];
  if (!s?.ok) return { label: [...base, "replicas unknown"], health: "unknown", details: { error: s && !s.ok ? s.error : "not read" } };
  const v = s.value;
  const health: Health = v.desired > 0 && v.ready >= v.desired ? "healthy" : v.ready > 0 ? "degraded" : "down";
  const details: GraphNode["details"] = { ready: v.ready, desired: v.desired, forwarders: cfg.coreDnsForwarders.join(", ") };
  for (const p of v.pods) details[`pod ${p.name}`] = `${p.ready ? "ready" : "not ready"}${p.ip ? ` ${p.ip}` : ""}${p.node ? ` on ${p.node}` : ""}`;
  return { label: [...base, `${v.ready}/${v.desired} replicas ready`], health, details };
}

function upstreamNode(cfg: ArchConfig, estate: Estate, nodeLocalDeployed: boolean): Part {
  const s = estate.upstreamService;
  const base = [cfg.upstreamServiceName];
  if (!s?.ok) return { label: [...base, "state unknown"], health: "unknown", details: { error: s && !s.ok ? s.error : "not read" } };
  const v = s.value;
  if (!v.exists) return { label: [...base, "not deployed"], health: nodeLocalDeployed ? "down" : "unknown", details: { exists: false } };
  const health: Health = v.endpoints === undefined ? "unknown" : v.endpoints > 0 ? "healthy" : "down";
  return { label: [...base, `ClusterIP ${v.clusterIp ?? "?"}`, `${v.endpoints ?? "?"} endpoints (CoreDNS pods)`], health, details: { clusterIp: v.clusterIp ?? null, endpoints: v.endpoints ?? null } };
}

function technitiumNodes(cfg: ArchConfig, s: Live<TechnitiumState[]> | undefined): (Part & { name: string; primary: boolean })[] {
  const live = s?.ok ? new Map(s.value.map((t) => [t.name, t])) : undefined;
  const names = cfg.technitiumInstances.length ? cfg.technitiumInstances : (s?.ok ? s.value : []).map((t) => ({ name: t.name, deployment: t.name, appLabel: t.name, primary: t.primary }));
  return names.map((inst): Part & { name: string; primary: boolean } => {
    const t = live?.get(inst.name);
    const role = inst.primary ? "zone primary" : "replica";
    if (!t) return { name: inst.name, primary: inst.primary, label: [`Technitium ${inst.name}`, `${role}, ${inst.deployment}`, "state unknown"], health: "unknown" as Health, details: { error: s && !s.ok ? s.error : "not read" } };
    if (!t.up) return { name: inst.name, primary: inst.primary, label: [`Technitium ${inst.name}`, `${role}, ${inst.deployment}`, "DOWN"], health: "down" as Health, details: { up: false, error: t.error ?? null } };
    const inStep = t.outOfStep !== undefined && t.outOfStep.length === 0;
    const step = inst.primary ? "serials are the reference" : t.outOfStep === undefined ? "step unknown" : inStep ? "in step with primary" : `${t.outOfStep.length} zones out of step`;
    const health: Health = inst.primary || inStep ? "healthy" : t.outOfStep === undefined ? "unknown" : "degraded";
    return {
      name: inst.name,
      primary: inst.primary,
      label: [`Technitium ${inst.name}`, `${role}, ${inst.deployment}`, `v${t.version ?? "?"}, ${t.zoneCount ?? "?"} zones`, step],
      health,
      details: { up: true, version: t.version ?? null, zones: t.zoneCount ?? null, inStep: inst.primary ? true : inStep, outOfStep: (t.outOfStep ?? []).slice(0, 20).join(", "), pod: t.podName ?? null, podIp: t.podIp ?? null },
    };
  });
}

function serviceNode(s: Live<{ exists: boolean; clusterIp?: string; externalIps?: string[] }> | undefined, kind: string, ip: string, note: string, matches: (v: { clusterIp?: string; externalIps?: string[] }) => boolean): Part {
  const base = [kind, ip, note];
  if (!s?.ok) return { label: [...base, "state unknown"], health: "unknown", details: { error: s && !s.ok ? s.error : "not read" } };
  if (!s.value.exists) return { label: [...base, "Service missing"], health: "down", details: { exists: false } };
  const ok = matches(s.value);
  const actual = kind === "LoadBalancer" ? (s.value.externalIps ?? []).join(", ") || "pending" : (s.value.clusterIp ?? "none");
  return { label: ok ? base : [...base, `actual ${actual}`], health: ok ? "healthy" : "degraded", details: { expected: ip, actual } };
}

function cronNodes(cfg: ArchConfig, s: Live<CronJobState[]> | undefined, now: Date, value: LiveValueOf): (Part & { name: string })[] {
  const live = s?.ok ? new Map(s.value.map((c) => [`${c.namespace}/${c.name}`, c])) : undefined;
  return cfg.cronJobs.map((cj): Part & { name: string } => {
    const c = live?.get(`${cj.namespace}/${cj.name}`);
    const short = cj.name.replace(/^technitium-/, "");
    if (!c) return { name: cj.name, label: [short, cj.schedule, "last run unknown"], health: "unknown" as Health, details: { error: s && !s.ok ? s.error : "not read", schedule: cj.schedule } };
    if (!c.exists)
      return cj.managed
        ? { name: cj.name, label: [short, cj.schedule, "CronJob missing"], health: "down" as Health, details: { exists: false, schedule: cj.schedule } }
        : { name: cj.name, label: [short, cj.schedule, "not visible (not managed by dnsdeck)"], health: "unknown" as Health, details: { exists: false, namespace: cj.namespace } };
    const when = c.lastScheduleTime ? ago(now, c.lastScheduleTime) : undefined;
    const health: Health = c.suspended ? "degraded" : c.lastRun === "failed" ? "down" : c.lastRun === "never" ? "unknown" : "healthy";
    return {
      name: cj.name,
      label: [short, cj.schedule, c.suspended ? "suspended" : when ? new LiveLine(["last run ", value(when, WIDTH.ago), `: ${c.lastRun}`]) : "not run yet"],
      health,
      details: { schedule: cj.schedule, namespace: cj.namespace, lastRun: c.lastRun, lastScheduleTime: c.lastScheduleTime ?? null, lastSuccessfulTime: c.lastSuccessfulTime ?? null },
    };
  });
}

function queryLogNode(s: Live<{ rows: number; newest?: string; lagSeconds?: number }> | undefined, value: LiveValueOf): Part {
  const base = ["PostgreSQL query logs"];
  if (!s?.ok) return { label: [...base, s && !s.ok && !/not set/.test(s.error) ? "not reachable" : "not configured"], health: "unknown", details: { error: s && !s.ok ? s.error : "not configured" } };
  const v = s.value;
  const lag = v.lagSeconds;
  const health: Health = lag === undefined ? "unknown" : lag < 600 ? "healthy" : lag < 3600 ? "degraded" : "down";
  return {
    label: [...base, new LiveLine(["~", value(formatCount(v.rows), WIDTH.rows), " rows"]), lag === undefined ? "no rows yet" : new LiveLine(["ingest lag ", value(formatDuration(lag), WIDTH.lag)])],
    health,
    details: { rowsEstimate: v.rows, newest: v.newest ?? null, lagSeconds: lag ?? null },
  };
}

export function formatCount(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(Math.max(0, Math.round(n)));
}

export function formatDuration(s: number): string {
  if (s < 90) return `${Math.round(s)}s`;
  if (s < 5400) return `${Math.round(s / 60)}m`;
  if (s < 172800) return `${Math.round(s / 3600)}h`;
  return `${Math.round(s / 86400)}d`;
}

function ago(now: Date, iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? "?" : `${formatDuration(Math.max(0, (now.getTime() - t) / 1000))} ago`;
}

function rateDetails(r: { qps: number; errorShare: number } | null | undefined): Record<string, string> {
  return r ? { "queries/s": r.qps.toFixed(2), "SERVFAIL+REFUSED": `${(r.errorShare * 100).toFixed(2)}%` } : {};
}
