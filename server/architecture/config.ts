import "server-only";
import { defaultStackConfig } from "@/k8s/config";
import { currentConfig } from "@/server/stack/config-store";
import type { ArchConfig } from "./estate";
import { archConfigFrom } from "./stack-config";

/** The current desired stack config (latest saved revision), or the defaults when the database cannot be read. */
export async function currentArchConfig(): Promise<{ config: ArchConfig; source: string }> {
  try {
    const rev = await currentConfig();
    return { config: archConfigFrom(rev.config), source: rev.id === null ? "defaults (no revision saved)" : `revision ${rev.id}` };
  } catch (err) {
    return { config: archConfigFrom(defaultStackConfig), source: `defaults (config store unavailable: ${err instanceof Error ? err.message : String(err)})` };
  }
}
