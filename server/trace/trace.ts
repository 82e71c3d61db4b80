import "server-only";
import { currentArchConfig } from "@/server/architecture/config";
import type { ArchConfig, Live } from "@/server/architecture/estate";
import { coreDnsState, listNodes, nodeLocalState, serviceState, technitiumPods } from "@/server/architecture/live";
import { CLIENT_CLASSES } from "@/server/architecture/paths";
import { addressMapFromEnv, mapDestination, query } from "@/server/dns";
import { AppError } from "@/server/errors";
import { lanAnswerEvidence } from "@/server/architecture/querylog-stats";
import { REBINDING_CLASS, readAppConfig, SPLIT_HORIZON_CLASS } from "@/server/sync/apps";
import { TechnitiumApi, technitiumClients } from "@/server/technitium/client";
import type { RebindingApp, SplitHorizonApp } from "@/server/technitium/client-view";
import { buildLanView, type LanEvidenceInput, type LanInstanceInput } from "./lan-view";
import { type LiveAddresses, type PlannedHop, planTrace } from "./plan";
import { type QueryFn, runTrace, type TraceResult } from "./run";
import type { TraceInput } from "./schemas";

/** Per-hop bound: a silent hop costs at most this, then the trace goes on. */
export const HOP_TIMEOUT_MS = 1500;

export interface TraceDeps {
  config(): Promise<ArchConfig>;
  nodes(): Promise<Live<string[]>>;
  addresses(cfg: ArchConfig): Promise<LiveAddresses>;
  query: QueryFn;
  mayQuery?: (hop: PlannedHop) => string | null;
  timeoutMs?: number;
  /** LAN traces: each instance's live app configs and the query log's LAN answers (server/trace/lan-view.ts). */
  lanInputs?(name: string, type: string, network: string): Promise<{ instances: LanInstanceInput[]; evidence: LanEvidenceInput | { error: string } }>;
}

/**
 * Validate (class, node) against the live node list, plan the hops from the current config and live addresses, and
 * send the query to each. Bad input throws bad_request before any packet leaves.
 */
export async function traceName(input: TraceInput, deps: TraceDeps = defaultDeps()): Promise<TraceResult> {
  const cls = CLIENT_CLASSES.find((c) => c.id === input.clientClass)!;
  let node = input.node;
  if (cls.pod || node) {
    const nodes = await deps.nodes();
    if (!nodes.ok) {
      if (cls.pod) throw new AppError("unavailable", `cannot list the cluster's nodes to trace from a pod (${nodes.error}); check the Kubernetes API`);
    } else if (node && !nodes.value.includes(node)) {
      throw new AppError("bad_request", `unknown node "${node}"; nodes: ${nodes.value.join(", ") || "(none)"}`);
    } else if (!node && cls.pod) {
      node = nodes.value[0];
      if (!node) throw new AppError("unavailable", "the cluster reports no nodes to trace from");
    }
  }
  if (!cls.pod) node = undefined;
  const cfg = await deps.config();
  const addresses = await deps.addresses(cfg);
  const plan = planTrace(cfg, input.clientClass, input.name.replace(/\.$/, ""), node, addresses);
  const result = await runTrace(plan, { query: deps.query, type: input.type, timeoutMs: deps.timeoutMs ?? HOP_TIMEOUT_MS, mayQuery: deps.mayQuery });
  if (plan.lanNetwork && deps.lanInputs) {
    const inputs = await deps.lanInputs(plan.name, result.type, plan.lanNetwork);
    const hops = plan.hops.flatMap((h, i) => (h.instance && h.stage !== "reference" ? [{ instance: h.instance, hop: result.hops[i] }] : []));
    result.lan = buildLanView({ name: plan.name, type: result.type, network: plan.lanNetwork, authoritative: plan.kind === "internal", hops, reference: result.hops[plan.reference], instances: inputs.instances, evidence: inputs.evidence });
  }
  return result;
}

/** Each instance's Split Horizon and rebinding configs (as it runs them now) and the query log's LAN answers. */
export async function liveLanInputs(name: string, type: string, network: string): Promise<{ instances: LanInstanceInput[]; evidence: LanEvidenceInput | { error: string } }> {
  const apis = technitiumClients().map((c) => new TechnitiumApi(c));
  const [instances, evidence] = await Promise.all([
    Promise.all(
      apis.map(async (api): Promise<LanInstanceInput> => {
        try {
          const [info, sh, rb] = await Promise.all([api.version({ timeoutMs: 3000 }), readAppConfig(api, SPLIT_HORIZON_CLASS), readAppConfig(api, REBINDING_CLASS)]);
          const cfg = <T>(r: Awaited<ReturnType<typeof readAppConfig>>) => (r.appName === null ? null : ((r.config ?? null) as T | null));
          const parseError = [sh, rb].map((r) => ("parseError" in r ? r.parseError : undefined)).find(Boolean);
          return { instance: api.name, server: info.dnsServerDomain, splitHorizon: cfg<SplitHorizonApp>(sh), rebinding: cfg<RebindingApp>(rb), configError: parseError };
        } catch (err) {
          return { instance: api.name, splitHorizon: null, rebinding: null, configError: err instanceof Error ? err.message : String(err) };
        }
      }),
    ),
    lanAnswerEvidence(name, type, network).then((r) => (r.ok ? r.value : { error: r.error })),
  ]);
  return { instances, evidence };
}

export async function liveAddresses(cfg: ArchConfig): Promise<LiveAddresses> {
  const [nl, up, cd, tp] = await Promise.all([nodeLocalState(cfg), serviceState(cfg.nodeLocalNamespace, cfg.upstreamServiceName), coreDnsState(cfg), technitiumPods(cfg)]);
  const errors = [nl, up, cd, tp].filter((x) => !x.ok).map((x) => (x as { error: string }).error);
  return {
    nodeLocalDeployed: nl.ok ? nl.value.deployed : true,
    upstreamClusterIp: up.ok && up.value.exists ? up.value.clusterIp : undefined,
    coreDnsPods: cd.ok ? cd.value.pods.map((p) => ({ name: p.name, ip: p.ip })) : undefined,
    technitiumPods: tp.ok ? tp.value.map((p) => ({ instance: p.instance, podName: p.podName, ip: p.ip, primary: p.primary })) : undefined,
    liveError: errors[0],
  };
}

/**
 * With a non-empty DNS_ADDRESS_MAP (the twin, a tunnel, tests), a hop the map does not cover is not sent: its real
 * address is not reachable from here and may be a real network. Without a map every hop is sent as addressed.
 */
export function unmappedGuard(): (hop: PlannedHop) => string | null {
  const map = addressMapFromEnv();
  if (map.entries.length === 0) return () => null;
  return (hop) => (mapDestination(map, { address: hop.server, port: 53, via: hop.via }).rule ? null : `DNS_ADDRESS_MAP has no entry for ${hop.server}${hop.via ? `@${hop.via}` : ""}`);
}

function defaultDeps(): TraceDeps {
  return {
    config: async () => (await currentArchConfig()).config,
    nodes: listNodes,
    addresses: liveAddresses,
    query,
    mayQuery: unmappedGuard(),
    lanInputs: liveLanInputs,
  };
}
