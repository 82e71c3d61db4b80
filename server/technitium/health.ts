import "server-only";
import { TechnitiumError, technitiumApis } from "./client";

export interface InstanceHealth {
  name: string;
  ok: boolean;
  version?: string;
  error?: string;
}

/** `user/session/get` is the cheap "up, and is my token valid" probe; it also reports the version. */
export async function checkTechnitiumInstances(): Promise<InstanceHealth[]> {
  return Promise.all(
    technitiumApis().map(async (c) => {
      try {
        const s = await c.version({ refresh: true, timeoutMs: 3000 });
        return { name: c.name, ok: true, version: s.version };
      } catch (err) {
        return { name: c.name, ok: false, error: err instanceof TechnitiumError ? err.message : "unexpected error" };
      }
    }),
  );
}
