import "server-only";
import { checkDatabase } from "@/server/db/client";
import { checkKube } from "@/server/kube/ready";
import { checkTechnitiumInstances } from "@/server/technitium/health";

export interface Dependency {
  name: string;
  ok: boolean;
  error?: string;
  detail?: string;
}

/** Every dependency dnsdeck needs, probed in parallel with bounded waits. */
export async function readiness(): Promise<{ ready: boolean; dependencies: Dependency[] }> {
  const [dbr, kube, tech] = await Promise.all([checkDatabase(), checkKube(), checkTechnitiumInstances()]);
  const deps: Dependency[] = [
    { name: "database", ok: dbr.ok, error: dbr.ok ? undefined : dbr.error },
    { name: "kubernetes", ok: kube.ok, error: kube.ok ? undefined : kube.error, detail: kube.ok ? kube.version : undefined },
    ...tech.map((t) => ({ name: `technitium:${t.name}`, ok: t.ok, error: t.error, detail: t.version })),
  ];
  return { ready: deps.every((d) => d.ok), dependencies: deps };
}
