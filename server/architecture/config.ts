import "server-only";
import { defaultStackConfig } from "@/k8s/config";
import { currentConfig } from "@/server/stack/config-store";
import { withTimeout } from "@/server/timeout";
import type { ArchConfig } from "./estate";
import { archConfigFrom } from "./stack-config";

/** How long the config store may take before the drawing falls back to the defaults (a down DB retries for long). */
const STORE_TIMEOUT_MS = 2000;

type Result = { config: ArchConfig; source: string };
const g = globalThis as unknown as { __dnsdeckArchConfig?: { at: number; ok: boolean; value: Result } };

/**
 * The current desired stack config (latest saved revision), or the defaults when the store cannot be read in time.
 * Remembered for 5 s (a failure for 30 s) so polling pages do not wait on a down database every time.
 */
export async function currentArchConfig(): Promise<Result> {
  const c = g.__dnsdeckArchConfig;
  if (c && Date.now() - c.at < (c.ok ? 5_000 : 30_000)) return c.value;
  const value = await readConfig();
  g.__dnsdeckArchConfig = { at: Date.now(), ok: !value.source.startsWith("defaults (config store unavailable"), value };
  return value;
}

async function readConfig(): Promise<Result> {
  try {
    const rev = await withTimeout(currentConfig(), STORE_TIMEOUT_MS, () => new Error(`no answer within ${STORE_TIMEOUT_MS} ms`));
    return { config: archConfigFrom(rev.config), source: rev.id === null ? "defaults (no revision saved)" : `revision ${rev.id}` };
  } catch (err) {
    return { config: archConfigFrom(defaultStackConfig), source: `defaults (config store unavailable: ${err instanceof Error ? err.message : String(err)})` };
  }
}
