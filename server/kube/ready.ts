import "server-only";
import { call, versionApi } from "./client";
import { kubeConfig } from "./config";

/** A cheap reachability probe for /api/v1/ready: the API server's version. */
export async function checkKube(): Promise<{ ok: true; version?: string } | { ok: false; error: string }> {
  if (!kubeConfig()) return { ok: false, error: "not configured (set KUBECONFIG or run in the cluster)" };
  try {
    const v = await call("reading the API server version", "probe", () => versionApi("probe").getCode());
    return { ok: true, version: v.gitVersion };
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) };
  }
}
