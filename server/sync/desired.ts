import { z } from "zod";
import type { StackConfig } from "@/k8s/config";
import { isCidr } from "@/server/auth/cidr";

/**
 * The desired Technitium app configs and resolver settings, validated strictly before anything is sent: every
 * network key and translation entry must be a real IP/CIDR, both sides of a translation the same family and prefix
 * length (the app rejects anything else, reference §3.1), and every group named in a map must exist.
 */

const family = (s: string) => (s.includes(":") ? 6 : 4);
const prefixOf = (s: string) => {
  const [, p] = s.split("/");
  return p === undefined ? (family(s) === 6 ? 128 : 32) : Number(p);
};
const ipOrCidr = z.string().superRefine((v, ctx) => {
  if (!isCidr(v)) ctx.addIssue({ code: "custom", message: `"${v}" is not an IP address or CIDR` });
});
const cidrStrict = z.string().superRefine((v, ctx) => {
  if (!isCidr(v)) ctx.addIssue({ code: "custom", message: `"${v}" is not a valid network (CIDR like 192.168.1.0/24)` });
});

export const splitHorizonDesired = z
  .object({
    appPreference: z.number().int().min(0).max(255),
    networks: z.record(z.string(), z.array(ipOrCidr)),
    enableAddressTranslation: z.boolean(),
    domainGroupMap: z.record(z.string().min(1), z.string().min(1)),
    networkGroupMap: z.record(cidrStrict, z.string().min(1)),
    groups: z.array(
      z
        .object({
          name: z.string().min(1),
          enabled: z.boolean(),
          translateReverseLookups: z.boolean(),
          externalToInternalTranslation: z.record(ipOrCidr, ipOrCidr),
        })
        .superRefine((g, ctx) => {
          for (const [ext, int] of Object.entries(g.externalToInternalTranslation)) {
            if (!isCidr(ext) || !isCidr(int)) continue;
            if (family(ext) !== family(int) || prefixOf(ext) !== prefixOf(int))
              ctx.addIssue({ code: "custom", path: ["externalToInternalTranslation", ext], message: `"${ext}" → "${int}": both sides must be the same address family and prefix length` });
          }
        }),
    ),
  })
  .superRefine((c, ctx) => {
    const names = new Set(c.groups.map((g) => g.name));
    for (const [net, g] of Object.entries(c.networkGroupMap)) if (!names.has(g)) ctx.addIssue({ code: "custom", path: ["networkGroupMap", net], message: `group "${g}" is not defined in groups` });
    for (const [d, g] of Object.entries(c.domainGroupMap)) if (!names.has(g)) ctx.addIssue({ code: "custom", path: ["domainGroupMap", d], message: `group "${g}" is not defined in groups` });
  });

export const rebindingDesired = z.object({
  enableProtection: z.boolean(),
  bypassNetworks: z.array(cidrStrict),
  privateNetworks: z.array(cidrStrict).min(1),
  privateDomains: z.array(z.string().regex(/^[a-z0-9._-]+$/, "lower-case domain without trailing dot")),
});

export const resolverDesired = z.object({
  cacheMinimumRecordTtl: z.number().int().min(0),
  cacheMaximumRecordTtl: z.number().int().min(0),
  serveStale: z.boolean(),
  serveStaleTtl: z.number().int().min(0).max(604800),
  cacheMaximumEntries: z.number().int().min(0),
  stubZones: z.array(z.string().min(1)),
});

export type SplitHorizonConfig = z.infer<typeof splitHorizonDesired>;
export type RebindingConfig = z.infer<typeof rebindingDesired>;
export type ResolverConfig = z.infer<typeof resolverDesired>;

export class DesiredConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`the desired config is invalid, nothing was sent: ${problems.join("; ")}`);
    this.name = "DesiredConfigError";
  }
}

function check<T>(schema: z.ZodType<T>, value: unknown, label: string): T {
  const r = schema.safeParse(value);
  if (!r.success) throw new DesiredConfigError(r.error.issues.map((i) => `${label}${i.path.length ? "." + i.path.join(".") : ""}: ${i.message}`));
  return r.data;
}

/** Full documents (every key, so the apps never patch in sample content; reference §3.3). */
export function desiredAppConfigs(tech: Pick<StackConfig["technitium"], "splitHorizon" | "rebindingProtection">): { splitHorizon: SplitHorizonConfig; rebinding: RebindingConfig } {
  const problems: string[] = [];
  let splitHorizon: SplitHorizonConfig | undefined;
  let rebinding: RebindingConfig | undefined;
  try {
    splitHorizon = check(splitHorizonDesired, tech.splitHorizon, "splitHorizon");
  } catch (e) {
    problems.push(...(e as DesiredConfigError).problems);
  }
  try {
    rebinding = check(rebindingDesired, tech.rebindingProtection, "rebindingProtection");
  } catch (e) {
    problems.push(...(e as DesiredConfigError).problems);
  }
  if (problems.length) throw new DesiredConfigError(problems);
  return { splitHorizon: splitHorizon!, rebinding: rebinding! };
}

export function desiredResolver(tech: Pick<StackConfig["technitium"], "resolver">): ResolverConfig {
  return check(resolverDesired, tech.resolver, "resolver");
}

/** Settings keys the resolver sync manages (stubZones are zones, not settings). */
export const RESOLVER_SETTING_KEYS = ["cacheMinimumRecordTtl", "cacheMaximumRecordTtl", "serveStale", "serveStaleTtl", "cacheMaximumEntries"] as const;
