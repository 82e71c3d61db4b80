import "server-only";
import { prometheusTarget } from "@/server/prometheus/client";
import { edgeTraffic } from "@/server/prometheus/edges";
import { currentArchConfig } from "./config";
import type { ArchConfig, Estate } from "./estate";
import { type ArchitectureGraph, buildArchitectureGraph } from "./graph";
import { coreDnsState, cronJobStates, listNodes, live, nodeLocalState, serviceState, technitiumState } from "./live";
import { buildPathDiagrams, type PathDiagram } from "./paths";
import { queryLogState } from "./querylog-stats";
import { probeEstate } from "./probes";
import { query } from "@/server/dns";
import { unmappedGuard } from "@/server/trace/trace";

/** Reads every live source in parallel; each may fail alone. */
export async function collectEstate(cfg: ArchConfig): Promise<Estate> {
  const [nodes, nodeLocal, coreDns, upstreamService, technitium, lbService, clusterIpService, cronJobs, queryLogs, traffic] = await Promise.all([
    listNodes(),
    nodeLocalState(cfg),
    coreDnsState(cfg),
    serviceState(cfg.nodeLocalNamespace, cfg.upstreamServiceName),
    technitiumState(cfg),
    serviceState(cfg.technitiumNamespace, cfg.lbServiceName),
    serviceState(cfg.technitiumNamespace, cfg.clusterIpServiceName),
    cronJobStates(cfg),
    queryLogState(),
    prometheusTarget() ? live(edgeTraffic, "other") : Promise.resolve(undefined),
  ]);
  const estate: Estate = { nodes, nodeLocal, coreDns, upstreamService, technitium, lbService, clusterIpService, cronJobs, queryLogs, traffic };
  // Health from what DNS answers, not only from readiness: one bounded query per hop, sent as the tracer sends them.
  const guard = unmappedGuard();
  estate.probes = await probeEstate(cfg, estate, { query, mayQuery: (server, via) => guard({ hop: server, stage: "probe", server, via }), timeoutMs: PROBE_TIMEOUT_MS });
  return estate;
}

/** A probe's bound: a silent hop costs the page at most this (probes run in parallel). */
export const PROBE_TIMEOUT_MS = 1500;

export async function architecture(): Promise<ArchitectureGraph & { generatedAt: string; configSource: string }> {
  const { config, source } = await currentArchConfig();
  const estate = await collectEstate(config);
  return { ...buildArchitectureGraph(config, estate), generatedAt: new Date().toISOString(), configSource: source };
}

export interface PathsResponse {
  generatedAt: string;
  configSource: string;
  /** null when the Kubernetes API could not say (the paths then assume the config's NodeLocal is deployed). */
  nodeLocalDeployed: boolean | null;
  nodeLocalError?: string;
  forwarders: string[];
  nodes: string[];
  diagrams: PathDiagram[];
}

export async function paths(): Promise<PathsResponse> {
  const { config, source } = await currentArchConfig();
  const [nl, nodes] = await Promise.all([nodeLocalState(config), listNodes()]);
  const deployed = nl.ok ? nl.value.deployed : null;
  return {
    generatedAt: new Date().toISOString(),
    configSource: source,
    nodeLocalDeployed: deployed,
    nodeLocalError: nl.ok ? undefined : nl.error,
    forwarders: config.coreDnsForwarders,
    nodes: nodes.ok ? nodes.value : [],
    diagrams: buildPathDiagrams(config, { nodeLocalDeployed: deployed ?? true }),
  };
}
