// Plausible container log lines for the pods of the DNS stack.
import type { Obj } from "./util";

const stamp = (t: number) => {
  const d = new Date(t);
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`;
};
const sha = () => Array.from({ length: 128 }, () => "0123456789abcdef"[Math.floor(Math.random() * 16)]).join("");

export type PodFlavor = "node-cache" | "coredns" | "technitium" | "job" | "generic";

export function flavorOf(pod: Obj, c: Obj): PodFlavor {
  const img = String(c.image ?? "");
  if (img.includes("k8s-dns-node-cache")) return "node-cache";
  if (img.includes("coredns")) return "coredns";
  if (pod.metadata.ownerReferences?.some((o: Obj) => o.kind === "Job")) return "job";
  if (img.includes("technitium")) return "technitium";
  return "generic";
}

export function zonesOf(corefile: string): string[] {
  const out: string[] = [];
  let depth = 0;
  for (const raw of corefile.split("\n")) {
    const line = raw.replace(/#.*/, "").trim();
    if (!line) continue;
    if (depth === 0 && line.endsWith("{")) out.push(line.slice(0, -1).trim().split(/\s+/)[0]);
    depth += (line.match(/\{/g) ?? []).length - (line.match(/\}/g) ?? []).length;
  }
  return out;
}

export function startupLines(flavor: PodFlavor, t: number, info: { corefile?: string; image?: string; localIps?: string[]; podName?: string; job?: string }): string[] {
  switch (flavor) {
    case "node-cache": {
      const ver = /:(\S+)$/.exec(info.image ?? "")?.[1] ?? "1.23.1";
      return [
        `${stamp(t)} [INFO] Starting node-cache image: ${ver}`,
        `${stamp(t)} [INFO] Using Corefile /etc/Corefile`,
        `${stamp(t)} [INFO] Using Pidfile /tmp/node-cache.pid`,
        `${stamp(t)} [INFO] Updated Corefile with 0 custom stubdomains and upstream servers /etc/resolv.conf`,
        `${stamp(t)} [INFO] Using config file:`,
        ...(info.corefile ?? "").split("\n").filter((l) => l.trim()),
        `${stamp(t)} [INFO] Updated Corefile with 0 custom stubdomains and upstream servers /etc/resolv.conf`,
        `${stamp(t)} [INFO] Added interface - nodelocaldns`,
      ];
    }
    case "coredns": return [];
    case "technitium": return [
      `Technitium DNS Server v${/:(\S+)$/.exec(info.image ?? "")?.[1] ?? "15.2.0"}`,
      `[${new Date(t).toISOString()}] Using config folder: /etc/dns`,
      `[${new Date(t).toISOString()}] DNS Server was started successfully.`,
      `[${new Date(t).toISOString()}] Web Service was started successfully on http://0.0.0.0:5380/`,
      `[${new Date(t).toISOString()}] DNS Server local end point: [::]:53 (UDP, TCP)`,
    ];
    default: return [`${new Date(t).toISOString()} started ${info.podName ?? ""}`.trim()];
  }
}

/** Lines CoreDNS prints once its server blocks are up. */
export function corednsServing(corefile: string, flavor: "node-cache" | "coredns", bindIps: string[]): string[] {
  const zones = zonesOf(corefile);
  const lines: string[] = [];
  for (const z of zones) {
    const zone = z.replace(/:\d+$/, "");
    const port = /:(\d+)$/.exec(z)?.[1] ?? "53";
    const zz = zone === "." ? "." : zone.replace(/\.?$/, ".");
    if (flavor === "node-cache") lines.push(`${zz}:${port} on ${bindIps.join(",")}`);
    else lines.push(`${zz}:${port}`);
  }
  lines.push(`[INFO] plugin/reload: Running configuration SHA512 = ${sha()}`);
  if (flavor === "node-cache") lines.push("CoreDNS-1.10.0", "linux/amd64, go1.21.10, ");
  else lines.push("CoreDNS-1.11.3", "linux/amd64, go1.21.11, a6338e9");
  return lines;
}

export function jobLines(cronName: string, t: number, fail: boolean): string[] {
  const at = (s: number) => new Date(t + s * 1000).toISOString();
  const base = cronName.replace(/-\d+$/, "");
  const head = [`[${at(0)}] starting ${base}`];
  if (fail) return [...head, `[${at(1)}] logging in to http://technitium-web.technitium.svc.cluster.local:5380`, `[${at(2)}] ERROR: request failed: HTTP 500 from technitium-web: {"status":"error","errorMessage":"Invalid token or session expired."}`, `[${at(2)}] ${base} failed`];
  if (base.includes("zone-sync")) return [...head,
    `[${at(1)}] logging in to primary http://technitium-primary.technitium.svc.cluster.local:5380`,
    `[${at(1)}] primary has 8 zones: viktorbarzin.lan 10.0.10.in-addr.arpa 20.0.10.in-addr.arpa 1.168.192.in-addr.arpa 2.3.10.in-addr.arpa 0.168.192.in-addr.arpa emrsn.org viktorbarzin.me`,
    `[${at(2)}] technitium-secondary-web: 8 zones present, 0 to create`,
    `[${at(2)}] technitium-tertiary-web: 8 zones present, 0 to create`,
    `[${at(3)}] pushed metrics to pushgateway (technitium_zone_sync_status=0 failures=0)`,
    `[${at(3)}] zone sync completed: 0 created, 0 failed`];
  if (base.includes("password-sync")) return [...head,
    `[${at(1)}] read rotated credentials from /secrets/technitium-db-creds`,
    `[${at(1)}] disabled MySQL query logging on technitium`,
    `[${at(2)}] PostgreSQL query logging app is loaded`,
    `[${at(2)}] configured PostgreSQL query logging (retention 90 days)`,
    `[${at(3)}] password sync completed`];
  if (base.includes("split-horizon")) return [...head,
    `[${at(1)}] technitium-web: Split Horizon config updated (176.12.22.76 -> 10.0.20.200 for 192.168.1.0/24)`,
    `[${at(1)}] technitium-secondary-web: Split Horizon config updated`,
    `[${at(2)}] technitium-tertiary-web: Split Horizon config updated`,
    `[${at(2)}] DNS Rebinding Protection privateDomains include viktorbarzin.me on all 3 instances`,
    `[${at(3)}] split horizon sync completed`];
  if (base.includes("optimization")) return [...head,
    `[${at(1)}] set cacheMinimumRecordTtl=60 on 3 instances`,
    `[${at(2)}] emrsn.org stub zone present on 3 instances`,
    `[${at(3)}] dns optimization completed`];
  return [...head, `[${at(2)}] done`];
}
