import { z } from "zod";
import { k8sName } from "@/k8s/schemas";
import { admitsEveryone, isCidr } from "@/server/auth/cidr";
import { parseAddressMap } from "@/server/dns/address-map";

/**
 * Every environment variable dnsdeck reads, validated once. A bad or missing value stops the process with a
 * message naming the variable (see `loadEnv`). The README's table mirrors this schema.
 */
const csv = z
  .string()
  .default("")
  .transform((s) => s.split(",").map((x) => x.trim()).filter(Boolean));

const cidrList = csv.superRefine((items, ctx) => {
  for (const item of items) if (!isCidr(item)) ctx.addIssue({ code: "custom", message: `"${item}" is not an IP address or CIDR` });
});

const instanceList = z
  .string()
  .default(
    "primary=http://technitium-web.technitium.svc.cluster.local:5380," +
      "secondary=http://technitium-secondary-web.technitium.svc.cluster.local:5380," +
      "tertiary=http://technitium-tertiary-web.technitium.svc.cluster.local:5380",
  )
  .transform((s, ctx) => {
    const out: { name: string; url: string }[] = [];
    for (const part of s.split(",").map((x) => x.trim()).filter(Boolean)) {
      const m = /^([a-z][a-z0-9-]{0,30})=(https?:\/\/.+)$/.exec(part);
      if (!m) {
        ctx.addIssue({ code: "custom", message: `"${part}" is not name=http(s)://host:port` });
        return z.NEVER;
      }
      out.push({ name: m[1], url: m[2].replace(/\/+$/, "") });
    }
    if (out.length === 0) ctx.addIssue({ code: "custom", message: "at least one instance (the primary) is needed" });
    if (new Set(out.map((i) => i.name)).size !== out.length) ctx.addIssue({ code: "custom", message: "instance names must be unique" });
    return out;
  });

const addressMap = z
  .string()
  .default("")
  .transform((s, ctx) => {
    const map = new Map<string, string>();
    for (const part of s.split(",").map((x) => x.trim()).filter(Boolean)) {
      const m = /^([^=\s]+)=([^=\s]+)$/.exec(part);
      if (!m) {
        ctx.addIssue({ code: "custom", message: `"${part}" is not from=to` });
        return z.NEVER;
      }
      map.set(m[1], m[2]);
    }
    // [dns-lane] validate every entry with the DNS client's own parser (keys ip, ip:port, ip@node, CIDR).
    try {
      parseAddressMap(map);
    } catch (err) {
      ctx.addIssue({ code: "custom", message: (err as Error).message });
      return z.NEVER;
    }
    return map;
  });

/** An http(s) base URL without query or fragment (a path prefix is allowed, e.g. behind a proxy); trailing / dropped. */
const httpBase = z
  .string()
  .url("must be an http(s):// URL")
  .refine((s) => /^https?:\/\//i.test(s), "must be an http(s):// URL")
  .refine((s) => !/[?#]/.test(s), "must not have a query or fragment")
  .transform((s) => s.replace(/\/+$/, ""));

/** Unset or empty: not configured. */
const optionalUrl = z.preprocess((v) => (v === "" ? undefined : v), httpBase.optional());

const ms = (def: number, min = 0, max = 3_600_000) => z.coerce.number().int().min(min).max(max).default(def);

/**
 * Rollout tuning (optional). Parsed on its own by `tuning()` so pure modules can read it without the rest of the
 * environment; the full schema below includes it so a bad value still stops dnsdeck at start.
 */
export const tuningSchema = z.object({
  DNSDECK_ROLLOUT_TIMEOUT_MS: ms(300_000, 1000),
  DNSDECK_ROLLOUT_POLL_MS: ms(1000, 50, 60_000),
  DNSDECK_HEALTH_GRACE_MS: ms(20_000),
  DNSDECK_VERIFY_WINDOW_MS: ms(90_000),
  DNSDECK_DS_MIN_READY_SECONDS: z.coerce.number().int().min(0).max(3600).default(10),
  /** Per-request timeout of every Kubernetes API call (server/kube/config.ts; pages and probes use less). */
  DNSDECK_KUBE_TIMEOUT_MS: z.coerce.number().int().min(500).max(600_000).optional(),
  /** The same, under its earlier name (read when DNSDECK_KUBE_TIMEOUT_MS is unset). */
  DNSDECK_STACK_KUBE_TIMEOUT_MS: z.coerce.number().int().min(500).max(600_000).optional(),
  /** issue 17: mermaid drawings made on the server (server/architecture/drawing.ts), in this headless Chromium. */
  DIAGRAM_RENDERER: z.enum(["chromium", "off"]).default("chromium"),
  DIAGRAM_CHROMIUM: z.string().startsWith("/", "must be an absolute path to a Chromium executable").default("/usr/bin/chromium"),
});
export type Tuning = z.infer<typeof tuningSchema>;

let cachedTuning: Tuning | undefined;
export function tuning(): Tuning {
  if (!cachedTuning) {
    const r = tuningSchema.safeParse(process.env);
    if (!r.success) throw new EnvError(r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`));
    cachedTuning = r.data;
  }
  return cachedTuning;
}

export const envSchema = tuningSchema
  .extend({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL"),
    QUERYLOG_DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgresql:// URL").optional(),
    KUBECONFIG: z.string().min(1).optional(),
    AUTH_MODE: z.enum(["authentik", "demo"]).default("authentik"),
    DNSDECK_FORCE_DEMO_IN_PRODUCTION: z.enum(["true", "false"]).default("false"),
    TRUSTED_PROXY_CIDRS: cidrList,
    DNSDECK_FORCE_TRUST_ALL: z.enum(["true", "false"]).default("false"),
    // the largest request body (server/start.mjs and the route wrapper); server actions are capped at 1 MiB by next.config.mjs
    DNSDECK_MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(1_048_576).default(1_048_576),
    AUTHENTIK_JWT_SECRET: z.string().min(16, "must be at least 16 characters").optional(),
    AUTHENTIK_JWT_ISSUER: z.string().url().optional(),
    AUTHENTIK_JWT_AUDIENCE: z.string().min(1).optional(),
    AUTHENTIK_SIGNOUT_PATH: z.string().startsWith("/").default("/outpost.goauthentik.io/sign_out"),
    ADMIN_GROUPS: csv,
    OPERATOR_GROUPS: csv,
    VIEWER_GROUPS: csv,
    TECHNITIUM_INSTANCES: instanceList,
    TECHNITIUM_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(8000),
    DNS_ADDRESS_MAP: addressMap,
    PUSHGATEWAY_URL: optionalUrl,
    // issue 16: the Prometheus that scrapes CoreDNS/NodeLocal and evaluates the DNS alerts (the Health page's source)
    PROMETHEUS_URL: optionalUrl,
    PROMETHEUS_TIMEOUT_MS: z.coerce.number().int().min(200).max(60_000).default(5000),
    // The node dnsdeck's pod runs on (downward API): the one node cache it can query at 169.254.20.10 directly.
    NODE_NAME: k8sName.optional(),
    // Demo only: the twin's fault panel, linked from the demo banner.
    DEMO_TWIN_PANEL_URL: z.string().url().optional(),
    // issue 5 (sync): where replicas transfer zones from; default: the technitium-primary Service from the Kubernetes API
    TECHNITIUM_PRIMARY_TRANSFER_ADDRESS: z.string().regex(/^[^\s,]+( \([^()\s]+\))?$/, "must be an address like 10.96.0.54, 10.96.0.54:53 or name (ip)").optional(),
  })
  .superRefine((env, ctx) => {
    if (env.AUTH_MODE === "demo" && env.NODE_ENV === "production" && env.DNSDECK_FORCE_DEMO_IN_PRODUCTION !== "true")
      ctx.addIssue({
        code: "custom",
        path: ["AUTH_MODE"],
        message: "demo mode gives everyone every role; it is refused when NODE_ENV=production unless DNSDECK_FORCE_DEMO_IN_PRODUCTION=true",
      });
    if (env.AUTH_MODE === "authentik" && env.TRUSTED_PROXY_CIDRS.length === 0)
      ctx.addIssue({ code: "custom", path: ["TRUSTED_PROXY_CIDRS"], message: "authentik mode needs the proxy's address range (e.g. the Traefik pod CIDR)" });
    const everyone = admitsEveryone(env.TRUSTED_PROXY_CIDRS);
    if (env.AUTH_MODE === "authentik" && everyone && env.DNSDECK_FORCE_TRUST_ALL !== "true")
      ctx.addIssue({
        code: "custom",
        path: ["TRUSTED_PROXY_CIDRS"],
        message: `admits every ${everyone} address, so anyone could claim any identity; name the proxy's range (e.g. the Traefik pod CIDR), or set DNSDECK_FORCE_TRUST_ALL=true if a network policy really admits only the proxy`,
      });
    if (env.AUTHENTIK_JWT_SECRET && (!env.AUTHENTIK_JWT_ISSUER || !env.AUTHENTIK_JWT_AUDIENCE))
      ctx.addIssue({
        code: "custom",
        path: [env.AUTHENTIK_JWT_ISSUER ? "AUTHENTIK_JWT_AUDIENCE" : "AUTHENTIK_JWT_ISSUER"],
        message: "required when AUTHENTIK_JWT_SECRET is set",
      });
  });

export type Env = z.infer<typeof envSchema>;

export class EnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`dnsdeck cannot start: invalid environment\n${problems.map((p) => `  - ${p}`).join("\n")}`);
    this.name = "EnvError";
  }
}

/** Parse a raw environment; throws EnvError naming every bad variable. Technitium tokens are read separately. */
export function parseEnv(raw: Record<string, string | undefined>): Env & { technitiumTokens: Map<string, string> } {
  const result = envSchema.safeParse(raw);
  if (!result.success) {
    throw new EnvError(result.error.issues.map((i) => `${i.path.join(".") || "environment"}: ${i.message}`));
  }
  const tokens = new Map<string, string>();
  const missing: string[] = [];
  for (const inst of result.data.TECHNITIUM_INSTANCES) {
    const key = tokenVar(inst.name);
    const token = raw[key];
    if (!token) missing.push(`${key}: API token for Technitium instance "${inst.name}" is required`);
    else tokens.set(inst.name, token);
  }
  if (missing.length) throw new EnvError(missing);
  return { ...result.data, technitiumTokens: tokens };
}

export function tokenVar(instance: string): string {
  return `TECHNITIUM_TOKEN_${instance.toUpperCase().replace(/-/g, "_")}`;
}

let cached: ReturnType<typeof parseEnv> | undefined;

/** The validated environment of this process (parsed on first use, which instrumentation.ts forces at start). */
export function env(): ReturnType<typeof parseEnv> {
  cached ??= parseEnv(process.env);
  return cached;
}

/** For tests only: forget the parsed environment so the next call re-reads process.env. */
export function resetEnvForTests(): void {
  cached = undefined;
  cachedTuning = undefined;
}

