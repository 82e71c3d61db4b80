import "server-only";
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/prisma/generated/client";
import { env } from "@/server/env";
import { AppError, toAppError } from "@/server/errors";
import { withTimeout } from "@/server/timeout";

/**
 * dnsdeck's own database. One client per process (kept on globalThis so dev reloads do not leak pools). The pool
 * connects lazily: the app starts even when PostgreSQL is down, and /api/v1/ready says so.
 */
const g = globalThis as unknown as { __dnsdeckPrisma?: PrismaClient };

export function db(): PrismaClient {
  if (!g.__dnsdeckPrisma) {
    const adapter = new PrismaPg({ connectionString: env().DATABASE_URL, max: 10, connectionTimeoutMillis: 3000 });
    g.__dnsdeckPrisma = new PrismaClient({ adapter });
  }
  return g.__dnsdeckPrisma;
}

export async function checkDatabase(): Promise<{ ok: true } | { ok: false; error: string }> {
  try {
    await withTimeout(db().$queryRaw`SELECT 1`, 3000, () => new AppError("timeout", "no answer within 3000 ms"));
    return { ok: true };
  } catch (err) {
    return { ok: false, error: describeDbError(err) };
  }
}

/** A short reason for a page's banner ("…: the audit log cannot be shown until it is back"), from the one error map. */
export function describeDbError(err: unknown): string {
  const code = toAppError(err).code;
  return code === "unavailable" || code === "timeout" ? "dnsdeck's database is unreachable" : "dnsdeck's database returned an error";
}

