/**
 * Convenience for the demo / e2e launcher: start the Technitium twin and the DNS chain together and return the
 * environment dnsdeck needs to use them (TECHNITIUM_INSTANCES, TECHNITIUM_TOKEN_<NAME>, DNS_ADDRESS_MAP).
 */
import path from "node:path";
import { startTechnitiumTwin, type TechnitiumTwin } from "../technitium/index";
import { startDnsTwin, type DnsTwin } from "./index";
import { applyFaultSpec } from "./faults";

export interface DnsStack {
  technitium: TechnitiumTwin;
  dns: DnsTwin;
  /** Environment for the app process. */
  env: Record<string, string>;
  stop(): Promise<void>;
}

export async function startDnsStack(o: {
  stateDir: string;
  kubeUrl?: string;
  kubeToken?: string;
  /** DNS port shared by every hop (default 5353, or a free one the kernel picks if 5353 is taken; 0 = a free one). */
  port?: number;
  reloadMs?: number;
  /** Fault spec (see faults.ts), e.g. process.env.TWIN_DNS_FAULTS */
  faults?: string;
}): Promise<DnsStack> {
  const technitium = await startTechnitiumTwin({ stateDir: path.join(o.stateDir, "technitium"), kubeUrl: o.kubeUrl, kubeToken: o.kubeToken });
  let dns: DnsTwin | undefined;
  try {
    for (let attempt = 0; !dns; attempt++) {
      const port = o.port ?? (attempt === 0 ? 5353 : 0);
      try {
        dns = await startDnsTwin({ kubeUrl: o.kubeUrl, kubeToken: o.kubeToken, technitium: technitium.instances, reloadMs: o.reloadMs ?? 3000, port });
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE" || o.port !== undefined || attempt > 10) throw err;
      }
    }
    if (o.faults) await applyFaultSpec(o.faults, { dns, technitium });
  } catch (err) {
    await technitium.stop();
    throw err;
  }
  const env: Record<string, string> = {
    TECHNITIUM_INSTANCES: technitium.instances.map((i) => `${i.name}=${i.url}`).join(","),
    DNS_ADDRESS_MAP: dns.addressMap,
  };
  for (const i of technitium.instances) env[`TECHNITIUM_TOKEN_${i.name.toUpperCase()}`] = i.token;
  const d = dns;
  return {
    technitium,
    dns: d,
    env,
    async stop() {
      await d.stop();
      await technitium.stop();
    },
  };
}
