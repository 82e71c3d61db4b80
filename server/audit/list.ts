import "server-only";
import { z } from "zod";
import { db } from "@/server/db/client";

export const auditQuerySchema = z.object({
  user: z.string().max(200).optional(),
  action: z.string().max(200).optional(),
  result: z.enum(["ok", "refused", "failed"]).optional(),
  before: z.coerce.bigint().positive().optional(),
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
}

/** Newest first, keyset-paged by id (`before`), never OFFSET. */
export async function listAudit(q: AuditQuery): Promise<{ rows: AuditRow[]; nextBefore: string | null }> {
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
    rows: page.map((r) => ({ ...r, id: r.id.toString(), at: r.at.toISOString() })),
    nextBefore: rows.length > q.limit ? page[page.length - 1].id.toString() : null,
  };
}
