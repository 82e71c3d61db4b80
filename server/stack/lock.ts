import "server-only";
import { db } from "@/server/db/client";
import { AppError } from "@/server/errors";

/**
 * One stack operation at a time across all users and processes: a row in `locks`, taken atomically with
 * INSERT … ON CONFLICT that only overwrites an expired row. A crashed holder's lock expires by itself.
 */
export const STACK_LOCK = "stack";

export interface LockInfo {
  name: string;
  holder: string;
  operation: string;
  acquiredAt: Date;
  expiresAt: Date;
}

export async function acquireLock(holder: string, operation: string, ttlMs = 10 * 60_000, name = STACK_LOCK): Promise<void> {
  const rows = await db().$queryRaw<{ holder: string }[]>`
    INSERT INTO "locks" ("name", "holder", "operation", "acquired_at", "expires_at")
    VALUES (${name}, ${holder}, ${operation}, now(), now() + make_interval(secs => ${ttlMs / 1000}))
    ON CONFLICT ("name") DO UPDATE SET "holder" = EXCLUDED."holder", "operation" = EXCLUDED."operation",
      "acquired_at" = EXCLUDED."acquired_at", "expires_at" = EXCLUDED."expires_at"
    WHERE "locks"."expires_at" < now()
    RETURNING "holder"`;
  if (rows.length === 1) return;
  const cur = await currentLock(name);
  const who = cur ? displayHolder(cur.holder) : "";
  throw new AppError(
    "locked",
    cur
      ? `another stack operation is running: ${cur.operation}, started by ${who} at ${cur.acquiredAt.toISOString()}. Wait for it to finish (it expires at ${cur.expiresAt.toISOString()} at the latest) and try again.`
      : "another stack operation just finished or started; try again",
    cur ? { holder: who, operation: cur.operation, acquiredAt: cur.acquiredAt, expiresAt: cur.expiresAt } : undefined,
  );
}

/** Keep a long operation's lock alive; also records what it is doing now. */
export async function refreshLock(holder: string, operation: string, ttlMs = 10 * 60_000, name = STACK_LOCK): Promise<void> {
  await db().$executeRaw`UPDATE "locks" SET "operation" = ${operation}, "expires_at" = now() + make_interval(secs => ${ttlMs / 1000})
    WHERE "name" = ${name} AND "holder" = ${holder}`;
}

export async function releaseLock(holder: string, name = STACK_LOCK): Promise<void> {
  await db().$executeRaw`DELETE FROM "locks" WHERE "name" = ${name} AND "holder" = ${holder}`;
}

export async function currentLock(name = STACK_LOCK): Promise<LockInfo | null> {
  const l = await db().lock.findUnique({ where: { name } });
  return l && l.expiresAt > new Date() ? l : null;
}

/** Holders are `user#token` so one user's runs never release each other's lock; show only the user. */
export function displayHolder(holder: string): string {
  return holder.split("#")[0];
}
