/**
 * The Split Horizon change the consistency report offers (pure): map a new public IP to the LAN address in the
 * stack config's translation (replacing the old one), or add the public domain to rebinding protection's
 * privateDomains. The result is a whole stack config, checked by the same schema a save uses; the verb saves it as a
 * new config revision and then runs the existing Split Horizon sync.
 */
import { z } from "zod";
import type { StackConfig } from "@/k8s/config";
import { isIp } from "@/k8s/net";
import { int32Id } from "@/k8s/schemas";
import { representativeClient } from "@/server/trace/lan-view";
import { lanGroupName } from "./horizon";

const ip = z.string().max(45).refine(isIp, "must be an IP address such as 176.12.22.99");

export const horizonChangeSchema = z
  .object({
    translation: z.object({ external: ip, internal: ip, replace: ip.optional() }).optional(),
    privateDomain: z
      .string()
      .max(253)
      .regex(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/, "must be a lower-case domain such as viktorbarzin.me")
      .optional(),
    /** The config revision the report was read against (null: defaults): a config saved since is a 409. */
    baseRevision: int32Id.nullable(),
    wait: z.boolean().optional(),
  })
  .refine((c) => c.translation || c.privateDomain, "give a translation or a privateDomain to add");

export type HorizonChange = z.output<typeof horizonChangeSchema>;

/** The changed config and a sentence for the revision's note; or why it cannot be made. */
export function withHorizonChange(config: StackConfig, change: Pick<HorizonChange, "translation" | "privateDomain">, lanNetwork: string): { config: StackConfig; note: string } | { error: string } {
  const next = structuredClone(config);
  const tech = next.technitium;
  const notes: string[] = [];
  if (change.translation) {
    const { external, internal, replace } = change.translation;
    const groups = tech.splitHorizon.groups.filter((g) => (replace ? Object.keys(g.externalToInternalTranslation).some((k) => k.replace(/\/32$/, "") === replace) : g.name === lanGroupName(tech.splitHorizon.networkGroupMap, representativeClient(lanNetwork))));
    if (!groups.length)
      return { error: replace ? `no Split Horizon group translates ${replace}; edit technitium.splitHorizon in the stack config by hand` : `no Split Horizon group serves ${lanNetwork}; edit technitium.splitHorizon in the stack config by hand` };
    for (const g of groups) {
      if (replace) for (const k of Object.keys(g.externalToInternalTranslation)) if (k.replace(/\/32$/, "") === replace) delete g.externalToInternalTranslation[k];
      g.externalToInternalTranslation[external] = internal;
    }
    notes.push(`Split Horizon: ${external} → ${internal}${replace ? ` (was ${replace})` : ""} in group ${groups.map((g) => g.name).join(", ")}`);
  }
  if (change.privateDomain) {
    if (tech.rebindingProtection.privateDomains.includes(change.privateDomain)) return { error: `${change.privateDomain} is already in rebinding protection's privateDomains; run the Split Horizon sync instead` };
    tech.rebindingProtection.privateDomains.push(change.privateDomain);
    notes.push(`rebinding protection: ${change.privateDomain} added to privateDomains`);
  }
  return { config: next, note: `${notes.join("; ")} — from the consistency report` };
}
