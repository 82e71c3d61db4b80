import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { startTechnitiumTwin, type TechnitiumTwin } from "../../technitium/index";
import { startDnsTwin, type DnsTwin, type StartDnsTwinOptions } from "../index";

/** Start the Technitium twin and the DNS chain on a random shared port (retrying if it is taken). */
export async function startChain(o: Partial<StartDnsTwinOptions> = {}): Promise<{ tech: TechnitiumTwin; dns: DnsTwin; dir: string; stop(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dns-twin-"));
  const tech = await startTechnitiumTwin({ stateDir: dir, transferDelayMs: 100 });
  for (let attempt = 0; ; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 40000);
    try {
      const dns = await startDnsTwin({ technitium: tech.instances, reloadMs: 300, port, forwardTimeoutMs: 700, ...o });
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
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EADDRINUSE" || attempt > 10) throw err;
    }
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
