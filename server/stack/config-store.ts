import "server-only";
import { defaultStackConfig, type StackConfig, stackConfigSchema } from "@/k8s/config";
import { validateCorefile } from "@/k8s/corefile";
import { renderCorednsCorefile, renderNodeLocalCorefile } from "@/k8s/corefile-render";
import { db } from "@/server/db/client";
import { AppError } from "@/server/errors";
import { zodIssues } from "@/server/http/zod-issues";

/**
 * The desired stack config lives in dnsdeck's database as revisions (who, when, note). The current desired config
 * is the latest revision; with none saved yet it is `defaultStackConfig` (the homelab as deployed today).
 */

export interface ConfigRevision {
  id: number | null;
  createdAt: string | null;
  createdBy: string | null;
  note: string | null;
  config: StackConfig;
}

/** Validate a config document; throws bad_request with one entry per bad field (`path`, `message`). */
export function validateConfig(input: unknown): StackConfig {
  const r = stackConfigSchema.safeParse(input);
  if (!r.success) {
    const issues = zodIssues(r.error);
    throw new AppError("bad_request", `the stack config is invalid: ${issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; ")}`, issues);
  }
  const config = r.data;
  // the Corefiles the config renders must pass the validator (loops, unknown plugins, missing `ready`, …)
  const issues: { path: string; message: string }[] = [];
  const checks = [
    { target: "nodelocal" as const, text: () => renderNodeLocalCorefile(config), path: config.nodelocal.corefileOverride ? "nodelocal.corefileOverride" : "nodelocal.zones" },
    { target: "coredns" as const, text: () => renderCorednsCorefile(config), path: config.coredns.corefileOverride ? "coredns.corefileOverride" : "coredns" },
  ];
  for (const c of checks) {
    let text: string;
    try {
      text = c.text();
    } catch (err) {
      issues.push({ path: c.path, message: `cannot render the ${c.target} Corefile: ${err instanceof Error ? err.message : String(err)}` });
      continue;
    }
    const v = validateCorefile(text, c.target, { stack: config, corednsVersion: config.coredns.version });
    const errors = v.errors.filter((e) => e.severity !== "warning");
    if (errors.length)
      issues.push({ path: c.path, message: `the ${c.target} Corefile is invalid: ${errors.map((e) => `line ${e.line}:${e.column} ${e.message}`).join("; ")}` });
  }
  if (issues.length) throw new AppError("bad_request", `the stack config is invalid: ${issues.map((i) => `${i.path}: ${i.message}`).join("; ")}`, issues);
  return config;
}

function toRevision(r: { id: number; createdAt: Date; createdBy: string; note: string | null; config: unknown }): ConfigRevision {
  // a row that no longer validates (hand edit, schema change) is returned as stored; applying it runs validateConfig
  const parsed = stackConfigSchema.safeParse(r.config);
  return { id: r.id, createdAt: r.createdAt.toISOString(), createdBy: r.createdBy, note: r.note, config: parsed.success ? parsed.data : (r.config as StackConfig) };
}

export async function currentConfig(): Promise<ConfigRevision> {
  const r = await db().stackConfigRevision.findFirst({ orderBy: { id: "desc" } });
  if (!r) return { id: null, createdAt: null, createdBy: null, note: "defaults (nothing saved yet)", config: defaultStackConfig };
  return toRevision(r);
}

export async function configRevision(id: number): Promise<ConfigRevision> {
  const r = await db().stackConfigRevision.findUnique({ where: { id } });
  if (!r) throw new AppError("not_found", `stack config revision ${id} does not exist; list them with GET /api/v1/stack/config`);
  return toRevision(r);
}

export async function saveConfig(input: unknown, user: string, note?: string): Promise<ConfigRevision> {
  const config = validateConfig(input);
  const r = await db().stackConfigRevision.create({ data: { config: config as object, createdBy: user, note: note ?? null } });
  return toRevision(r);
}

export async function listConfigRevisions(opts: { limit?: number; before?: number } = {}) {
  const limit = Math.min(Math.max(opts.limit ?? 20, 1), 100);
  const rows = await db().stackConfigRevision.findMany({
    where: opts.before ? { id: { lt: opts.before } } : undefined,
    orderBy: { id: "desc" },
    take: limit + 1,
    select: { id: true, createdAt: true, createdBy: true, note: true },
  });
  return {
    items: rows.slice(0, limit).map((r) => ({ ...r, createdAt: r.createdAt.toISOString() })),
    nextBefore: rows.length > limit ? rows[limit - 1].id : null,
  };
}
