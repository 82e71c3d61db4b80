import "server-only";
import { db } from "@/server/db/client";
import { AppError } from "@/server/errors";
import { redactText, summariseInput } from "./summarise";

/**
 * Audit rows. A mutation writes its intent (`pending`) before it acts — `auditIntent` throws 503 when the row cannot
 * be written, so nothing runs unaudited — and its outcome (ok | partial | failed | refused) after. Refusals of
 * callers without an identity are aggregated: one row per source and reason per minute, with a count.
 */
export type AuditResult = "pending" | "ok" | "partial" | "failed" | "refused";
export type AuditVia = "action" | "route" | "cli" | "page";

export interface AuditEntry {
  user: string;
  role?: string | null;
  action: string;
  target?: string | null;
  input?: unknown;
  result: AuditResult;
  httpStatus?: number;
  durationMs: number;
  error?: string | null;
  via: AuditVia;
}

const clean = (text: string | null | undefined, max: number) => (text ? redactText(text.replace(/\u0000/g, "\\u0000")).slice(0, max) : null);

function row(entry: AuditEntry) {
  return {
    user: clean(entry.user, 256) ?? "anonymous",
    role: entry.role ?? null,
    action: clean(entry.action, 200) ?? "",
    target: clean(entry.target, 500),
    input: entry.input === undefined ? undefined : (summariseInput(entry.input) as object),
    result: entry.result,
    httpStatus: entry.httpStatus ?? null,
    durationMs: Math.max(0, Math.round(entry.durationMs)),
    error: clean(entry.error, 2000),
    via: entry.via,
  };
}

/** Write one finished row. Never throws: if the database is down the row goes to stderr. */
export async function recordAudit(entry: AuditEntry): Promise<void> {
  const data = row(entry);
  try {
    await db().auditEvent.create({ data });
  } catch {
    console.error(`[audit] database unavailable, audit row follows: ${JSON.stringify(data)}`);
  }
}

/** The intent row of a mutation, before it acts. Throws 503 (and nothing may run) when it cannot be written. */
export async function auditIntent(entry: Omit<AuditEntry, "result" | "durationMs">): Promise<bigint> {
  const data = row({ ...entry, result: "pending", durationMs: 0 });
  try {
    return (await db().auditEvent.create({ data, select: { id: true } })).id;
  } catch (err) {
    console.error(`[audit] could not write the intent row, refusing ${data.action}:`, err instanceof Error ? err.message.slice(0, 300) : err);
    throw new AppError("unavailable", "the audit trail cannot be written (dnsdeck's database is unavailable), so nothing was done; try again once it is back");
  }
}

/** The outcome of a mutation whose intent is `id`. Never throws (the intent row stays `pending`, stderr says why). */
export async function auditOutcome(id: bigint, out: { result: Exclude<AuditResult, "pending">; httpStatus?: number; durationMs: number; error?: string | null; target?: string | null }): Promise<void> {
  const data = { result: out.result, httpStatus: out.httpStatus ?? null, durationMs: Math.max(0, Math.round(out.durationMs)), error: clean(out.error, 2000), ...(out.target ? { target: clean(out.target, 500) } : {}) };
  try {
    await db().auditEvent.update({ where: { id }, data });
  } catch {
    console.error(`[audit] could not record the outcome of audit row ${id}: ${JSON.stringify(data)}`);
  }
}

/**
 * A refused caller without an identity (401) or without a role (403): one row per source, reason and minute whose
 * `count` grows. Counted in memory and written at most once a second per row, so a flood costs no database work
 * per request and cannot fill the table. Never throws, never waits.
 */
interface Pending {
  minute: Date;
  user: string;
  action: string;
  source: string;
  reason: string;
  via: AuditVia;
  httpStatus: number;
  n: number;
}
const pending = new Map<string, Pending>();
let flushing: Promise<void> | undefined;
let timer: NodeJS.Timeout | undefined;

export function recordRefusal(r: { source?: string; user?: string; reason: string; action: string; via: AuditVia; httpStatus: number }): Promise<void> {
  const minute = new Date(Math.floor(Date.now() / 60_000) * 60_000);
  const source = clean(r.source, 100) ?? "unknown";
  const reason = clean(r.reason, 500) ?? "";
  const key = `${minute.toISOString()}|${source}|${r.httpStatus}|${reason}`.slice(0, 700);
  const action = clean(r.action, 200) ?? "";
  const p = pending.get(key);
  if (p) {
    p.n += 1;
    if (p.action !== action) p.action = "(several pages and routes)";
  } else pending.set(key, { minute, source, reason, action, via: r.via, httpStatus: r.httpStatus, user: clean(r.user, 256) ?? `anonymous@${source}`, n: 1 });
  if (!timer) {
    timer = setTimeout(() => void flushRefusals(), 1000);
    timer.unref?.();
  }
  return Promise.resolve();
}

/** Write the counted refusals now (the timer does this every second; tests call it directly). */
export async function flushRefusals(): Promise<void> {
  clearTimeout(timer);
  timer = undefined;
  await flushing;
  const batch = [...pending.entries()];
  pending.clear();
  flushing = (async () => {
    for (const [key, p] of batch) {
      try {
        await db().$executeRaw`INSERT INTO "audit_events" ("at", "user", "role", "action", "target", "result", "http_status", "duration_ms", "error", "via", "count", "agg_key")
          VALUES (${p.minute}, ${p.user}, NULL, ${p.action}, ${`from ${p.source}`}, 'refused', ${p.httpStatus}, 0, ${p.reason}, ${p.via}, ${p.n}, ${key})
          ON CONFLICT ("agg_key") DO UPDATE SET "count" = "audit_events"."count" + EXCLUDED."count",
            "action" = CASE WHEN "audit_events"."action" = EXCLUDED."action" THEN "audit_events"."action" ELSE '(several pages and routes)' END`;
      } catch {
        console.error(`[audit] database unavailable, ${p.n} refusal(s) follow: ${JSON.stringify({ source: p.source, reason: p.reason, action: p.action })}`);
      }
    }
  })();
  await flushing;
}
