import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startTechnitiumTwin, type TechnitiumTwin } from "../../technitium/index";
import { startDnsTwin, type DnsTwin, type StartDnsTwinOptions } from "../index";

/** Start the Technitium twin and the DNS chain on a port the kernel picks (port 0). */
export async function startChain(o: Partial<StartDnsTwinOptions> = {}): Promise<{ tech: TechnitiumTwin; dns: DnsTwin; dir: string; stop(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dns-twin-"));
  const tech = await startTechnitiumTwin({ stateDir: dir, transferDelayMs: 100 });
  const dns = await startDnsTwin({ technitium: tech.instances, reloadMs: 300, port: 0, forwardTimeoutMs: 700, ...o });
  return {
    tech,
    dns,
    dir,
    async stop() {
      await dns.stop();
      await tech.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The loopback address that stands for a stack source address in the twin (twin/dns/sources.ts). */
export { loopbackSource as from } from "../sources";

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
