import type { NodeLocalZone, StackConfig } from "./config";

/**
 * Corefile text from the stack config. Pure string building; the output is checked by k8s/corefile/validate.ts in
 * the tests. NodeLocal: every node-cache placeholder except __PILLAR__CLUSTER__DNS__ and
 * __PILLAR__UPSTREAM__SERVERS__ is substituted here (reference §1.2: a runtime LOCAL_DNS expansion in `health` would
 * produce two arguments and stop CoreDNS from starting).
 */

export const CLUSTER_DNS_PLACEHOLDER = "__PILLAR__CLUSTER__DNS__";
export const UPSTREAM_SERVERS_PLACEHOLDER = "__PILLAR__UPSTREAM__SERVERS__";

const I1 = "    ";
const I2 = "        ";

function bucket(name: string, b: { capacity: number; ttl?: number; minTtl?: number }): string {
  const parts = [name, String(b.capacity)];
  if (b.ttl !== undefined) parts.push(String(b.ttl));
  if (b.minTtl !== undefined) {
    if (b.ttl === undefined) parts.push("3600");
    parts.push(String(b.minTtl));
  }
  return parts.join(" ");
}

function zoneKey(zone: string, port = 53): string {
  const z = zone === "." ? "." : zone.replace(/\.$/, "");
  return `${z}:${port}`;
}

function nodeLocalBlock(cfg: StackConfig["nodelocal"], z: NodeLocalZone, first: boolean): string {
  const lines: string[] = [`${zoneKey(z.zone)} {`, `${I1}errors`];
  if (z.success || z.denial) {
    lines.push(`${I1}cache {`);
    if (z.success) lines.push(`${I2}${bucket("success", z.success)}`);
    if (z.denial) lines.push(`${I2}${bucket("denial", z.denial)}`);
    lines.push(`${I1}}`);
  } else {
    lines.push(`${I1}cache ${z.cacheTtl}`);
  }
  lines.push(cfg.reloadInterval === "30s" ? `${I1}reload` : `${I1}reload ${cfg.reloadInterval}`);
  lines.push(`${I1}loop`);
  lines.push(`${I1}bind ${cfg.linkLocalIp} ${cfg.kubeDnsClusterIp}`);
  if (z.template) {
    const zone = z.zone === "." ? "." : z.zone.replace(/\.$/, "");
    lines.push(
      `${I1}template ANY ANY ${zone} {`,
      `${I2}match "${z.template.regex.replace(/"/g, '\\"')}"`,
      `${I2}rcode ${z.template.rcode}`,
      `${I2}fallthrough`,
      `${I1}}`,
    );
  }
  const to = z.forward === "cluster-dns" ? CLUSTER_DNS_PLACEHOLDER : z.forward === "upstream-servers" ? UPSTREAM_SERVERS_PLACEHOLDER : z.forward.join(" ");
  if (z.forceTcp) {
    lines.push(`${I1}forward . ${to} {`, `${I2}force_tcp`, `${I1}}`);
  } else {
    lines.push(`${I1}forward . ${to}`);
  }
  lines.push(`${I1}prometheus :${cfg.metricsPort}`);
  if (first) lines.push(`${I1}health ${cfg.linkLocalIp}:${cfg.healthPort}`);
  lines.push("}");
  return lines.join("\n");
}

/** One NodeLocal server block as the Corefile carries it (the causes page shows the block with the ndots template). */
export function renderNodeLocalZone(config: StackConfig, zone: NodeLocalZone): string {
  return nodeLocalBlock(config.nodelocal, zone, config.nodelocal.zones[0]?.zone === zone.zone);
}

/** The NodeLocal DNSCache Corefile (ConfigMap key `Corefile`, read by node-cache as Corefile.base). */
export function renderNodeLocalCorefile(config: StackConfig): string {
  const cfg = config.nodelocal;
  if (cfg.corefileOverride) return ensureTrailingNewline(cfg.corefileOverride);
  return cfg.zones.map((z, i) => nodeLocalBlock(cfg, z, i === 0)).join("\n") + "\n";
}

/** The cluster CoreDNS Corefile (ConfigMap `coredns`, key `Corefile`): kubeadm's default plus the homelab's changes. */
export function renderCorednsCorefile(config: StackConfig): string {
  // Same layout as the Terraform-managed Corefile (4-space directives, 7-space properties), so taking it over is not
  // a text change; whitespace never triggers a reload anyway (reload hashes the parsed blocks).
  const I2 = "       ";
  const c = config.coredns;
  if (c.corefileOverride) return ensureTrailingNewline(c.corefileOverride);
  const domain = config.nodelocal.clusterDomain.replace(/\.$/, "");
  const out: string[] = [
    ".:53 {",
    `${I1}errors`,
    `${I1}health {`,
    `${I2}lameduck 5s`,
    `${I1}}`,
    `${I1}ready`,
    `${I1}kubernetes ${domain} in-addr.arpa ip6.arpa {`,
    `${I2}pods insecure`,
    `${I2}fallthrough in-addr.arpa ip6.arpa`,
    `${I2}ttl 30`,
    `${I1}}`,
    `${I1}prometheus :9153`,
    `${I1}forward . ${c.forwarders.join(" ")} {`,
    ...(c.policy !== "random" ? [`${I2}policy ${c.policy}`] : []),
    `${I2}health_check ${c.healthCheck}`,
    `${I2}max_fails ${c.maxFails}`,
    `${I1}}`,
    `${I1}cache {`,
    `${I2}${bucket("success", c.cache.success)}`,
    `${I2}${bucket("denial", c.cache.denial)}`,
    ...(c.cache.serveStale ? [`${I2}serve_stale ${c.cache.serveStale}`] : []),
    `${I1}}`,
    `${I1}loop`,
    `${I1}reload`,
    `${I1}loadbalance`,
    "}",
  ];
  const iz = c.internalZone;
  if (iz) {
    const zone = iz.zone.replace(/\.$/, "");
    out.push(`${zone}:53 {`, `${I1}errors`);
    if (iz.ndotsTemplate) {
      out.push(
        `${I1}template ANY ANY ${zone} {`,
        `${I2}match "${iz.ndotsTemplate.regex.replace(/"/g, '\\"')}"`,
        `${I2}rcode ${iz.ndotsTemplate.rcode}`,
        `${I2}fallthrough`,
        `${I1}}`,
      );
    }
    out.push(`${I1}forward . ${iz.forwardTo} {`, `${I2}health_check ${c.healthCheck}`, `${I2}max_fails ${c.maxFails}`, `${I1}}`);
    if (iz.cache) {
      out.push(`${I1}cache {`, `${I2}${bucket("success", iz.cache.success)}`, `${I2}${bucket("denial", iz.cache.denial)}`);
      if (iz.cache.serveStale) out.push(`${I2}serve_stale ${iz.cache.serveStale}`);
      out.push(`${I1}}`);
    }
    out.push("}");
  }
  return out.join("\n") + "\n";
}

function ensureTrailingNewline(s: string): string {
  return s.endsWith("\n") ? s : s + "\n";
}
