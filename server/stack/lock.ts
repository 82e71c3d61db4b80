import "server-only";
import { db } from "@/server/db/client";
import { AppError } from "@/server/errors";

import { holderText, qualify, release, renew, sweepStackRuns, tryAcquire } from "@/server/runs/lease";

/**
 * One stack operation at a time across all users and processes: the lease "stack" in `locks` (server/runs/lease.ts),
 * taken atomically with INSERT … ON CONFLICT that only overwrites an expired row and renewed by the process's
 * heartbeat. A killed holder's lock expires within DNSDECK_LEASE_SECONDS (15 s); the next holder marks the runs it
 * left "running" as interrupted before it starts its own.
 */
export const STACK_LOCK = "stack";

export interface LockInfo {
  name: string;
  holder: string;
  operation: string;
  acquiredAt: Date;
  expiresAt: Date;
}

/** `ttlMs` is ignored: locks are leases renewed by the heartbeat (kept for callers that still pass one). */
export async function acquireLock(holder: string, operation: string, _ttlMs?: number, name = STACK_LOCK): Promise<void> {
  const taken = await tryAcquire(name, qualify(holder), operation);
  if (taken.ok) {
    // runs left "running" by a dead holder: interrupted (we hold the lock; none of them is ours)
    if (name === STACK_LOCK) await sweepStackRuns({ takenOver: true, previousHolder: taken.previous?.holder });
    return;
  }
  const cur = await currentLock(name);
  const who = cur ? holderText(cur.holder) : "";
  throw new AppError(
    "locked",
    cur
      ? `another stack operation is running: ${cur.operation}, started by ${who} at ${cur.acquiredAt.toISOString()}. Wait for it to finish and try again (if that process died, its lock expires within seconds, at ${cur.expiresAt.toISOString()}).`
      : "another stack operation just finished or started; try again",
    cur ? { holder: displayHolder(cur.holder), process: processOf(cur.holder), operation: cur.operation, acquiredAt: cur.acquiredAt, expiresAt: cur.expiresAt } : undefined,
  );
}

/** Record what a long operation is doing now (the heartbeat keeps the lease alive). */
export async function refreshLock(holder: string, operation: string, _ttlMs?: number, name = STACK_LOCK): Promise<void> {
  await renew(name, qualify(holder), operation);
}

export async function releaseLock(holder: string, name = STACK_LOCK): Promise<void> {
  await release(name, qualify(holder));
}

export async function currentLock(name = STACK_LOCK): Promise<LockInfo | null> {
  const l = await db().lock.findUnique({ where: { name } });
  return l && l.expiresAt > new Date() ? l : null;
}

/** Holders are `user#token#process` so one user's runs never release each other's lock; show only the user. */
export function displayHolder(holder: string): string {
  return holder.split("#")[0];
}

/** The dnsdeck process (hostname/pid/…) holding it, when known. */
export function processOf(holder: string): string | null {
  const parts = holder.split("#");
  return parts.length >= 3 ? parts.slice(2).join("#") : null;
}
