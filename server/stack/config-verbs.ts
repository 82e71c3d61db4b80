import "server-only";
import { z } from "zod";
import { defaultStackConfig, type StackConfig } from "@/k8s/config";
import { validateCorefile } from "@/k8s/corefile";
import { count, int32Id, safeMultiline, safeText } from "@/k8s/schemas";
import { describeDbError } from "@/server/db/client";
import { verb } from "@/server/verb";
import { currentConfig, listConfigRevisions, saveConfig, validateConfig } from "./config-store";
import { liveCorednsVersion } from "./coredns-live";
import { foreignOwners } from "./owners";

/** The desired stack config: read it with its revisions, save a new revision (admin), validate a Corefile. */

const pageQuery = z.object({ before: int32Id.optional(), limit: count(1, 100).optional() });

export const getStackConfig = verb({ name: "stack.config", role: "viewer", input: pageQuery }, async (_ctx, q) => ({
  current: await currentConfig(),
  revisions: await listConfigRevisions(q),
}));

/**
 * Every string in a config document: one line, no control characters — except Corefile overrides, which may hold
 * tabs and newlines. Checked before the config schema so a NUL never reaches the database or the audit row.
 */
function controlCharacters(value: unknown, path: string[] = [], depth = 0): string | null {
  if (depth > 12) return `${path.join(".")}: nested too deeply`;
  if (typeof value === "string") {
    const multiline = path[path.length - 1] === "corefileOverride";
    const bad = multiline ? /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/ : /[\u0000-\u001f\u007f]/;
    return bad.test(value) ? `${path.join(".") || "config"}: must not contain control characters` : null;
  }
  if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) {
      const bad = /[\u0000-\u001f\u007f]/.test(k) ? `${[...path, "…"].join(".")}: a key contains control characters` : controlCharacters(v, [...path, k], depth + 1);
      if (bad) return bad;
    }
  }
  return null;
}

/** The one schema for saving a config revision, used by the route and the server action alike. */
export const saveConfigSchema = z.object({
  config: z.unknown().superRefine((v, ctx) => {
    const bad = controlCharacters(v);
    if (bad) ctx.addIssue({ code: "custom", message: bad });
  }),
  note: safeText(500).optional(),
});

export const saveStackConfig = verb({ name: "stack.config.save", role: "admin", input: saveConfigSchema, audit: true }, async (ctx, input, t) => {
  const rev = await saveConfig(input.config, ctx.identity.user, input.note);
  t.target(`stack config revision ${rev.id}`);
  return { id: rev.id, createdAt: rev.createdAt, createdBy: rev.createdBy, note: rev.note, config: rev.config };
});

/**
 * Before saving (the CoreDNS page): which objects this draft config would change that another manager owns
 * (Terraform, kubeadm…), by the same server-side dry run as the plan. Nothing is saved or applied; admin, as saving is.
 */
export const checkForeignOwners = verb(
  {
    name: "stack.owners",
    role: "admin",
    // a dry run against the cluster with dnsdeck's admin identity: audited like every verb above viewer
    audit: true,
    input: saveConfigSchema.pick({ config: true }).extend({
      components: z.array(z.enum(["coredns", "nodelocal", "technitium"])).min(1).max(3).optional(),
    }),
  },
  async (_ctx, input, t) => {
    const components = input.components ?? ["coredns", "nodelocal"];
    t.target(`owner check (dry run) of ${components.join(", ")}`);
    return foreignOwners(validateConfig(input.config), components);
  },
);

const validateSchema = z.object({
  target: z.enum(["coredns", "nodelocal"]),
  corefile: safeMultiline(256 * 1024),
  /** Cluster CoreDNS version to check against (default: the stack config's, else 1.11.3). */
  corednsVersion: z.string().regex(/^v?\d{1,3}\.\d{1,3}\.\d{1,3}$/, "must be a version like 1.11.3").optional(),
});

/** Parse and check a CoreDNS or NodeLocal Corefile; errors carry line and column. Read-only (viewer). */
export const checkCorefile = verb({ name: "corefile.validate", role: "viewer", input: validateSchema }, async (_ctx, input) => {
  // The loop rules need the stack's addresses; without a stored config (or a database) the homelab defaults are the truth.
  let stack: StackConfig = defaultStackConfig;
  try {
    stack = (await currentConfig()).config;
  } catch {
    stack = defaultStackConfig;
  }
  const r = validateCorefile(input.corefile, input.target, { stack, corednsVersion: input.corednsVersion ?? stack.coredns.version });
  return { valid: r.valid, errors: r.errors.map((e) => ({ line: e.line, column: e.column, message: e.message, severity: e.severity ?? "error" })) };
});

/** The CoreDNS page: the desired config (or the defaults, saying why) and the running CoreDNS version. */
export const getCorednsView = verb({ name: "coredns.view", role: "viewer" }, async () => {
  let config = defaultStackConfig;
  let revision: number | null = null;
  let error: string | null = null;
  try {
    const cur = await currentConfig();
    config = cur.config;
    revision = cur.id;
  } catch (err) {
    error = describeDbError(err);
  }
  const live = await liveCorednsVersion(config.coredns.namespace, config.coredns.deploymentName);
  return { config, revision, error, live };
});
