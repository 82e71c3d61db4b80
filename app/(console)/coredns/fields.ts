import { getPath, type Json } from "@/app/_components/json-path";

/** The form's fields: which config path each edits, how it is shown and how its text is read back. */

export interface Field {
  path: string;
  label: string;
  kind?: "text" | "int" | "list" | "select";
  options?: string[];
  hint?: string;
}

export const CORE_FIELDS: Field[] = [
  { path: "coredns.forwarders", label: "Forwarders", kind: "list", hint: "comma-separated IPs, tried in order with policy sequential" },
  { path: "coredns.policy", label: "Forward policy", kind: "select", options: ["sequential", "random", "round_robin"] },
  { path: "coredns.healthCheck", label: "health_check", hint: "Go duration, e.g. 5s" },
  { path: "coredns.maxFails", label: "max_fails", kind: "int" },
  { path: "coredns.cache.success.capacity", label: "cache success: capacity", kind: "int" },
  { path: "coredns.cache.success.ttl", label: "cache success: max TTL (s)", kind: "int" },
  { path: "coredns.cache.success.minTtl", label: "cache success: min TTL (s)", kind: "int" },
  { path: "coredns.cache.denial.capacity", label: "cache denial: capacity", kind: "int" },
  { path: "coredns.cache.denial.ttl", label: "cache denial: max TTL (s)", kind: "int" },
  { path: "coredns.cache.denial.minTtl", label: "cache denial: min TTL (s)", kind: "int" },
  { path: "coredns.cache.serveStale", label: "serve_stale", hint: "Go duration, e.g. 86400s" },
  { path: "coredns.internalZone.zone", label: "Internal zone" },
  { path: "coredns.internalZone.forwardTo", label: "Internal zone → Technitium ClusterIP" },
  { path: "coredns.internalZone.ndotsTemplate.regex", label: "ndots junk filter (template match)", hint: "Go regexp on the FQDN with trailing dot" },
  { path: "coredns.replicas", label: "Replicas", kind: "int" },
  { path: "coredns.version", label: "CoreDNS version (validation profile)" },
];

export const NL_FIELDS: Field[] = [
  { path: "nodelocal.linkLocalIp", label: "Link-local IP" },
  { path: "nodelocal.kubeDnsClusterIp", label: "kube-dns ClusterIP (co-listened)" },
  { path: "nodelocal.upstreamServiceName", label: "Upstream Service" },
  { path: "nodelocal.healthPort", label: "Health port", kind: "int" },
  { path: "nodelocal.reloadInterval", label: "reload interval", hint: "Go duration, ≥ 2s" },
  { path: "nodelocal.extraArgs", label: "Extra node-cache flags", kind: "list", hint: "-name=value each, e.g. -skipteardown=false" },
];

export function fieldValue(draft: Json, f: Field): string {
  const v = getPath(draft, f.path);
  if (v === undefined || v === null) return "";
  if (Array.isArray(v)) return v.join(", ");
  return String(v);
}

export function parseField(f: Field, text: string): unknown {
  if (f.kind === "list") return text.split(/[,\s]+/).filter(Boolean);
  if (f.kind === "int") return text.trim() === "" ? undefined : /^-?\d+$/.test(text.trim()) ? Number(text.trim()) : text;
  return text === "" ? undefined : text;
}

/** A config path this page's form shows (a field, an item of a list field, or a NodeLocal zone). */
export function onThisForm(path: string): boolean {
  return [...CORE_FIELDS, ...NL_FIELDS].some((f) => path === f.path || path.startsWith(`${f.path}.`)) || path.startsWith("nodelocal.zones.");
}
