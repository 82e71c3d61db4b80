/**
 * What a CoreDNS-like hop of the twin reports about the queries it really serves: the hooks the metrics exporter
 * (twin/metrics/) implements. Kept apart from coredns.ts so the server only calls `observer?.…` at a few points.
 */
import type { ServerBlock } from "./corefile";

export interface ServedQuery {
  block: ServerBlock;
  /** the listener, e.g. "dns://:53" or "dns://169.254.20.10:53" */
  server: string;
  qname: string;
  qtype: string;
  proto: "udp" | "tcp";
  rcode: string;
  /** whose code wrote the reply ("cache", "forward", "template", "kubernetes", "" when the chain failed) */
  plugin: string;
  seconds: number;
  dnssecOk: boolean;
  requestBytes: number;
  responseBytes: number;
}

export interface CorednsObserver {
  served(q: ServedQuery): void;
  /** One lookup through a block's cache: found (fresh or stale) or not. */
  cache(e: { block: ServerBlock; server: string; hit: boolean; stale: boolean; denial: boolean; entries: number }): void;
  /** A forward exchange: rcode of the reply read, or null when none came back (timeout, refused). */
  forward(e: { to: string; rcode: string | null; seconds: number; proto: "udp" | "tcp" }): void;
  healthcheckFailure(to: string): void;
  /** Every upstream of a forward is down: a random one is tried anyway. */
  healthcheckBroken(): void;
}
