import "server-only";
import { db } from "@/server/db/client";
import { redactText, summariseInput } from "./summarise";

export interface AuditEntry {
  user: string;
  role?: string | null;
  action: string;
  target?: string | null;
  input?: unknown;
  result: "ok" | "refused" | "failed";
  httpStatus?: number;
  durationMs: number;
  error?: string | null;
  via: "action" | "route" | "cli";
}

/**
 * Write one audit row. Never throws: if dnsdeck's database is down the row goes to stderr instead, so a mutation
 * is never silent.
 */
export async function recordAudit(entry: AuditEntry): Promise<void> {
  const data = {
    user: entry.user,
    role: entry.role ?? null,
    action: entry.action,
    target: entry.target ?? null,
    input: entry.input === undefined ? undefined : (summariseInput(entry.input) as object),
    result: entry.result,
    httpStatus: entry.httpStatus ?? null,
    durationMs: Math.round(entry.durationMs),
    error: entry.error ? redactText(entry.error).slice(0, 2000) : null,
    via: entry.via,
  };
  try {
    await db().auditEvent.create({ data });
  } catch {
    console.error(`[audit] database unavailable, audit row follows: ${JSON.stringify(data)}`);
  }
}
