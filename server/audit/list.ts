import "server-only";
import { z } from "zod";
import { int64Id, safeText } from "@/k8s/schemas";
import { db } from "@/server/db/client";
import { verb } from "@/server/verb";

export const AUDIT_RESULTS = ["pending", "ok", "partial", "failed", "refused"] as const;

export const auditQuerySchema = z.object({
  user: safeText(200).optional(),
  action: safeText(200).optional(),
  result: z.enum(AUDIT_RESULTS).optional(),
  before: int64Id.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type AuditQuery = z.infer<typeof auditQuerySchema>;

export interface AuditRow {
  id: string;
  at: string;
  user: string;
  role: string | null;
  action: string;
  target: string | null;
  input: unknown;
  result: string;
  httpStatus: number | null;
  durationMs: number;
  error: string | null;
  via: string;
  /** Aggregated refusals: how many identical refusals in that minute. */
  count: number;
}

/** The audit log, newest first, keyset-paged by id (`before`), never OFFSET. */
export const listAudit = verb({ name: "audit.list", role: "viewer", input: auditQuerySchema }, async (_ctx, q): Promise<{ rows: AuditRow[]; nextBefore: string | null }> => {
  const rows = await db().auditEvent.findMany({
    where: {
      user: q.user ? { contains: q.user } : undefined,
      action: q.action ? { startsWith: q.action } : undefined,
      result: q.result,
      id: q.before ? { lt: q.before } : undefined,
    },
    orderBy: { id: "desc" },
    take: q.limit + 1,
  });
  const page = rows.slice(0, q.limit);
  return {
    rows: page.map(({ aggKey: _k, ...r }) => ({ ...r, id: r.id.toString(), at: r.at.toISOString() })),
    nextBefore: rows.length > q.limit ? page[page.length - 1].id.toString() : null,
  };
});
