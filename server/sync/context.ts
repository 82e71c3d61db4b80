import "server-only";
import { defaultStackConfig, type StackConfig } from "@/k8s/config";
import { env } from "@/server/env";
import { listPods, readService } from "@/server/kube/workloads";
import { currentConfig } from "@/server/stack/config-store";
import { TechnitiumApi, technitiumClients } from "@/server/technitium/client";

/**
 * What a sync needs from the outside world, in one object so tests can point it at the twins: the Technitium APIs
 * (primary first), each instance's DNS address, the address replicas transfer from, and the desired config.
 *
 * Production: DNS addresses are the Technitium pods' IPs (Kubernetes API, `app=<appLabel>` in the technitium
 * namespace), port 53; `server/dns` applies DNS_ADDRESS_MAP when querying. Replicas transfer from
 * TECHNITIUM_PRIMARY_TRANSFER_ADDRESS when set, else the primary Service's ClusterIP (stable across pod
 * restarts), else the primary pod's IP.
 */
export interface DnsAddress {
  server: string;
  port: number;
}

export interface SyncContext {
  apis: TechnitiumApi[];
  dnsAddress(instance: string): Promise<DnsAddress | null>;
  primaryTransferAddresses(): Promise<string[]>;
  desired(): Promise<StackConfig["technitium"]>;
}

export async function desiredTechnitium(): Promise<StackConfig["technitium"]> {
  try {
    return (await currentConfig()).config.technitium;
  } catch {
    return defaultStackConfig.technitium;
  }
}

async function podIp(tech: StackConfig["technitium"], instance: string): Promise<string | null> {
  const inst = tech.instances.find((i) => i.name === instance);
  if (!inst) return null;
  const pods = await listPods(tech.namespace, `app=${inst.appLabel}`);
  const running = pods.filter((p) => p.status?.podIP && !p.metadata?.deletionTimestamp);
  const ready = running.find((p) => p.status?.phase === "Running") ?? running[0];
  return ready?.status?.podIP ?? null;
}

export function productionContext(): SyncContext {
  let techP: Promise<StackConfig["technitium"]> | undefined;
  const tech = () => (techP ??= desiredTechnitium());
  return {
    apis: technitiumClients().map((c) => new TechnitiumApi(c)),
    async dnsAddress(instance) {
      const ip = await podIp(await tech(), instance);
      return ip ? { server: ip, port: 53 } : null;
    },
    async primaryTransferAddresses() {
      const override = env().TECHNITIUM_PRIMARY_TRANSFER_ADDRESS;
      if (override) return [override];
      const t = await tech();
      try {
        const svc = await readService(t.namespace, t.services.primary.name);
        const ip = svc?.spec?.clusterIP;
        // The plain ClusterIP: Technitium would resolve a bare name through its own resolver (not cluster DNS).
        if (ip && ip !== "None") return [ip];
      } catch {
        /* fall back to the pod */
      }
      const primary = t.instances[0]?.name;
      const ip = primary ? await podIp(t, primary).catch(() => null) : null;
      return ip ? [ip] : [];
    },
    desired: tech,
  };
}
