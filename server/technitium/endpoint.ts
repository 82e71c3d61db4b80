import "server-only";
import { env } from "@/server/env";
import { mapConnection, parseAddressMap } from "@/server/dns/address-map";
import { readObject } from "@/server/kube/objects";

/**
 * Reaching Technitium without the DNS dnsdeck changes (issue 15). The homelab names the instances by Service
 * (`technitium-web.technitium.svc.cluster.local`), and resolving that name goes through the very NodeLocal/CoreDNS
 * chain a Corefile change can break — the moment dnsdeck must roll it back or sync. So a `<svc>.<ns>.svc[.cluster.local]`
 * host is replaced by the Service's ClusterIP read from the Kubernetes API (kube-proxy routes it without any DNS),
 * cached for a minute; DNS_ADDRESS_MAP's exact `ip:port` entries apply after that (the twin, tunnels). Any other host
 * (an IP, an external name) is left as given. When the API cannot say (unreachable, no such Service, headless), the
 * name is used as given and the connection error says it went through DNS — except that an API that does not answer
 * leaves an address it gave before in use (a ClusterIP does not change while its Service lives).
 */

const SERVICE_HOST = /^([a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?)\.([a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?)\.svc(?:\.cluster\.local)?\.?$/;

/** `{ name, namespace }` when `host` is a Service's cluster DNS name. */
export function serviceOfHost(host: string): { name: string; namespace: string } | null {
  const m = SERVICE_HOST.exec(host.toLowerCase());
  return m ? { name: m[1], namespace: m[2] } : null;
}

export interface Endpoint {
  /** The URL to connect to (scheme, host, port; the path is the caller's). */
  url: string;
  /** How it was found, for error messages: "ClusterIP 10.96.14.2 of Service technitium/technitium-web" or "DNS". */
  via: string;
}

type ReadClusterIp = (namespace: string, name: string) => Promise<string | null>;

const readClusterIpFromApi: ReadClusterIp = async (namespace, name) => {
  // the page budget (6 s): a cold process's first call (client, TLS) on a busy node must not fall back to DNS
  const svc = await readObject({ apiVersion: "v1", kind: "Service", metadata: { name, namespace } }, "page");
  const ip = (svc?.spec as { clusterIP?: string } | undefined)?.clusterIP;
  return ip && ip !== "None" ? ip : null;
};

const TTL_MS = 60_000;
/** A failed lookup is tried again after this, so an unreachable API does not add its timeout to every call. */
const FAILED_TTL_MS = 10_000;
const cache = new Map<string, { ip: string | null; at: number }>();
/** One lookup per Service at a time: the calls a sync starts at once share it. */
const inFlight = new Map<string, Promise<{ ip: string | null; answered: boolean }>>();

/** The endpoint for a configured instance URL. `read` and `addressMap` are for tests. */
export async function resolveEndpoint(configured: string, o: { read?: ReadClusterIp; addressMap?: string | Map<string, string>; now?: number } = {}): Promise<Endpoint> {
  const u = new URL(configured);
  const svc = serviceOfHost(u.hostname);
  if (!svc) return { url: configured.replace(/\/+$/, ""), via: "as configured" };
  const key = `${svc.namespace}/${svc.name}`;
  const now = o.now ?? Date.now();
  let hit = cache.get(key);
  if (!hit || now - hit.at > (hit.ip ? TTL_MS : FAILED_TTL_MS)) {
    let lookup = inFlight.get(key);
    if (!lookup) {
      lookup = (o.read ?? readClusterIpFromApi)(svc.namespace, svc.name)
        .then((ip) => ({ ip, answered: true }), () => ({ ip: null, answered: false }))
        .finally(() => inFlight.delete(key));
      inFlight.set(key, lookup);
    }
    const r = await lookup;
    const known = hit?.ip ?? null;
    // The API answered: its word (no such Service, headless → DNS). It did not answer (timeout, unreachable): the
    // address it gave before is still the Service's while the Service lives — kept, and asked again after FAILED_TTL_MS.
    hit = r.answered || !known ? { ip: r.ip, at: now } : { ip: known, at: now - TTL_MS + FAILED_TTL_MS };
    cache.set(key, hit);
  }
  if (!hit.ip) return { url: configured.replace(/\/+$/, ""), via: `DNS (the Kubernetes API did not give Service ${key}'s ClusterIP)` };
  const port = Number(u.port || (u.protocol === "https:" ? 443 : 80));
  const to = mapConnection(parseAddressMap(o.addressMap ?? env().DNS_ADDRESS_MAP), hit.ip, port);
  const host = to.host.includes(":") ? `[${to.host}]` : to.host;
  return { url: `${u.protocol}//${host}:${to.port}${u.pathname.replace(/\/+$/, "")}`, via: `ClusterIP ${hit.ip} of Service ${key}` };
}

/** Forget cached ClusterIPs (tests; a Service re-created with a new address is also re-read after the TTL). */
export function forgetEndpoints(): void {
  cache.clear();
  inFlight.clear();
}
