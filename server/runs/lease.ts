import "server-only";
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { db } from "@/server/db/client";
import { lifecycle } from "@/server/lifecycle";

/**
 * Leases: every running operation (an apply, a rollback, a restart, a sync) holds a row in `locks` that expires
 * LEASE seconds after its last heartbeat. The heartbeat (one timer per process, every LEASE/3 s) renews every lease
 * this process holds, so a lease lives exactly as long as its process: a SIGKILLed or frozen dnsdeck loses its locks
 * within LEASE seconds and another process (or the next one started) takes over.
 *
 * The database is the arbiter: a lease is taken with one INSERT … ON CONFLICT … WHERE expired (at most one winner
 * across processes), and a run left "running" by a dead holder is marked `interrupted` by a conditional UPDATE
 * (`sweepInterrupted`, idempotent, safe from any number of processes). Sweeps run when a process starts, on every
 * heartbeat, on every read of runs and before a run starts.
 *
 * Holders are `user#token#process` with process = `hostname/pid/random` (the pod name in Kubernetes), so the UI can
 * say whose lock it was and on which replica.
 */

export function leaseSeconds(): number {
  const v = Number(process.env.DNSDECK_LEASE_SECONDS);
  return Number.isFinite(v) && v >= 2 && v <= 600 ? v : 15;
}

const g = globalThis as unknown as { __dnsdeckProcessId?: string; __dnsdeckHeartbeat?: NodeJS.Timeout };

/** This server process, as it appears in lock holders and interrupted runs. */
export function processId(): string {
  g.__dnsdeckProcessId ??= `${hostname()}/${process.pid}/${randomBytes(3).toString("hex")}`;
  return g.__dnsdeckProcessId;
}

/** `user#token` → the stored holder `user#token#process`. Already suffixed holders are kept. */
export function qualify(holder: string): string {
  return holder.split("#").length >= 3 ? holder : `${holder}#${processId()}`;
}

/** Who and where: `{ user: "alice", process: "dnsdeck-7c9…/1/ab12cd" }`. */
export function describeHolder(holder: string): { user: string; process: string | null } {
  const parts = holder.split("#");
  return { user: parts[0], process: parts.length >= 3 ? parts.slice(2).join("#") : null };
}

export function holderText(holder: string): string {
  const h = describeHolder(holder);
  return h.process ? `${h.user} (dnsdeck process ${h.process})` : h.user;
}

export interface Taken {
  ok: boolean;
  /** When the lease was taken over from a holder that had not released it (it died): that holder. */
  previous?: { holder: string; expiredAt: Date };
}

/**
 * Take lease `name` for `holder` (already qualified) if it is free or expired. One statement: of two processes racing
 * for the same name, exactly one gets a row back.
 */
export async function tryAcquire(name: string, holder: string, operation: string): Promise<Taken> {
  const secs = leaseSeconds();
  const rows = await db().$queryRaw<{ holder: string; prev_holder: string | null; prev_expires: Date | null }[]>`
    WITH prev AS (SELECT "holder", "expires_at" FROM "locks" WHERE "name" = ${name})
    INSERT INTO "locks" ("name", "holder", "operation", "acquired_at", "expires_at")
    VALUES (${name}, ${holder}, ${operation}, now(), now() + make_interval(secs => ${secs}))
    ON CONFLICT ("name") DO UPDATE SET "holder" = EXCLUDED."holder", "operation" = EXCLUDED."operation",
      "acquired_at" = EXCLUDED."acquired_at", "expires_at" = EXCLUDED."expires_at"
    WHERE "locks"."expires_at" < now()
    RETURNING "holder", (SELECT "holder" FROM prev) AS prev_holder, (SELECT "expires_at" FROM prev) AS prev_expires`;
  if (rows.length !== 1) return { ok: false };
  held.add(holder);
  startHeartbeat();
  const r = rows[0];
  return { ok: true, previous: r.prev_holder && r.prev_expires ? { holder: r.prev_holder, expiredAt: r.prev_expires } : undefined };
}

export async function release(name: string, holder: string): Promise<void> {
  try {
    await db().$executeRaw`DELETE FROM "locks" WHERE "name" = ${name} AND "holder" = ${holder}`;
  } finally {
    held.delete(holder);
  }
}

export async function renew(name: string, holder: string, operation?: string): Promise<boolean> {
  const secs = leaseSeconds();
  const n = operation
    ? await db().$executeRaw`UPDATE "locks" SET "operation" = ${operation}, "expires_at" = now() + make_interval(secs => ${secs}) WHERE "name" = ${name} AND "holder" = ${holder}`
    : await db().$executeRaw`UPDATE "locks" SET "expires_at" = now() + make_interval(secs => ${secs}) WHERE "name" = ${name} AND "holder" = ${holder}`;
  return n > 0;
}

/** Holders of leases this process has taken and not released (shared with server/start.mjs through lifecycle()). */
const held: Set<string> = lifecycle().active;

function startHeartbeat(): void {
  if (g.__dnsdeckHeartbeat) return;
  const every = Math.max(500, (leaseSeconds() * 1000) / 3);
  g.__dnsdeckHeartbeat = setInterval(() => void heartbeat(), every);
  g.__dnsdeckHeartbeat.unref?.();
}

let warned = "";
async function heartbeat(): Promise<void> {
  try {
    const mine = [...held];
    if (!mine.length) {
      // nothing held: stop until the next lease is taken (reads and starts sweep meanwhile); no query, so an idle
      // process (or a test that disconnected) is not kept busy
      if (g.__dnsdeckHeartbeat) clearInterval(g.__dnsdeckHeartbeat);
      g.__dnsdeckHeartbeat = undefined;
      return;
    }
    if (mine.length) {
      const secs = leaseSeconds();
      const rows = await db().$queryRaw<{ holder: string }[]>`
        UPDATE "locks" SET "expires_at" = now() + make_interval(secs => ${secs}) WHERE "holder" = ANY(${mine}) RETURNING "holder"`;
      if (rows.length < mine.length) {
        const lost = mine.filter((h) => held.has(h) && !rows.some((r) => r.holder === h));
        if (lost.length) console.warn(`[lease] lost ${lost.length} lease(s) (expired and taken over, or released): ${lost.map(holderText).join(", ")}`);
      }
    }
    await sweepInterrupted();
    warned = "";
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    if (msg !== warned) console.warn(`[lease] heartbeat failed: ${msg} (leases expire ${leaseSeconds()} s after the last renewal)`);
    warned = msg;
  }
}

const STACK_IN_FLIGHT = ["applying", "rolling-out"];

/** `steps` with every in-flight step (status in `inFlight`) marked interrupted — SQL, for the conditional UPDATEs. */
const nowIso = `to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * Mark runs whose holder is gone as `interrupted`: stack applies/rollbacks while no live "stack" lease exists, syncs
 * while no live "sync:<kind>" lease exists. Idempotent; any number of processes may sweep at once.
 */
export async function sweepInterrupted(): Promise<number> {
  return (await sweepStackRuns()) + (await sweepSyncRuns());
}

/**
 * `takenOver`: called by the new holder right after it took the "stack" lease from a holder that never released it —
 * every running run is then that dead holder's (the new one has not inserted its run yet).
 */
export async function sweepStackRuns(opts: { takenOver?: boolean; previousHolder?: string } = {}): Promise<number> {
  return sweepStack(!!opts.takenOver, opts.previousHolder);
}

/** `kind`: called by the new holder of "sync:<kind>": every running run of that kind is a dead holder's. */
export async function sweepSyncRuns(opts: { kind?: string; previousHolder?: string } = {}): Promise<number> {
  return sweepSync(opts.kind ?? null, opts.previousHolder);
}

const STACK_TEXT = {
  lead: "interrupted: the dnsdeck process running this",
  tail: "stopped before it finished. Steps marked applied/healthy were done, the step marked interrupted was in flight (it may or may not have reached the cluster), pending steps were not started. Check the plan, then apply again or roll back (applying is idempotent).",
};
const VERIFY_TEXT =
  "The verification after the Corefile change (resolution through every hop) was in flight and did not finish: the change is in the cluster but unverified. Resume verifies it again, or roll back.";
const SYNC_TEXT = {
  lead: "interrupted: the dnsdeck process running this sync",
  tail: "stopped before it finished. Steps marked ok were done, the step marked interrupted was in flight. Syncs are idempotent: run it again (or Resume) to finish.",
};

/** SQL: the interrupted message naming `holderSql` (user and process), or without a holder when it is NULL. */
function messageSql(text: { lead: string; tail: string }, holderSql: string, p: number): string {
  return `CASE WHEN ${holderSql} IS NULL THEN $${p}::text || ' ' || $${p + 1}::text
    ELSE format('%s (lock held by %s, dnsdeck process %s) %s', $${p}::text, split_part(${holderSql}, '#', 1), NULLIF(split_part(${holderSql}, '#', 3), ''), $${p + 1}::text) END`;
}

function markSteps(inFlight: number): string {
  return `(SELECT COALESCE(jsonb_agg(CASE WHEN s->>'status' = ANY($${inFlight}::text[])
      THEN s || jsonb_build_object('status', 'interrupted', 'finishedAt', ${nowIso}) ELSE s END ORDER BY o), '[]'::jsonb)
    FROM jsonb_array_elements(r."steps") WITH ORDINALITY AS t(s, o))`;
}

/*
 * One statement each, so the check "no live lease" and the update see the same snapshot: a new holder takes its lease
 * (committed) before it inserts its run, so a snapshot that holds the new run also holds the live lease.
 */
async function sweepStack(takenOver: boolean, previousHolder?: string): Promise<number> {
  const holder = `COALESCE($1::text, (SELECT "holder" FROM "locks" WHERE "name" = 'stack' AND "expires_at" <= now()))`;
  // killed while watching resolution after a Corefile change (apply/verify.ts): every object was applied, no step is in
  // flight, but the verification is — its last round stays, marked interrupted (no verdict), and the error says so
  const verifying = `(r."rollout"->'verify'->>'pending') = 'true'`;
  return db().$executeRawUnsafe(
    `UPDATE "stack_applies" AS r SET "status" = 'interrupted', "finished_at" = now(),
       "error" = ${messageSql(STACK_TEXT, holder, 2)} || CASE WHEN ${verifying} THEN ' ' || $6::text ELSE '' END,
       "steps" = ${markSteps(4)},
       "rollout" = CASE WHEN ${verifying}
         THEN jsonb_set(r."rollout", '{verify}', (r."rollout"->'verify') - 'pending' - 'until' || jsonb_build_object('ok', false, 'interrupted', true, 'at', ${nowIso}))
         ELSE r."rollout" END
     WHERE r."status" = 'running' AND ($5 OR NOT EXISTS (SELECT 1 FROM "locks" WHERE "name" = 'stack' AND "expires_at" > now()))`,
    previousHolder ?? null,
    STACK_TEXT.lead,
    STACK_TEXT.tail,
    STACK_IN_FLIGHT,
    takenOver,
    VERIFY_TEXT,
  );
}

async function sweepSync(kind: string | null, previousHolder?: string): Promise<number> {
  const holder = `COALESCE($1::text, (SELECT l."holder" FROM "locks" AS l WHERE l."name" = 'sync:' || r."kind" AND l."expires_at" <= now()))`;
  return db().$executeRawUnsafe(
    `UPDATE "sync_runs" AS r SET "status" = 'interrupted', "finished_at" = now(),
       "error" = ${messageSql(SYNC_TEXT, holder, 2)}, "summary" = COALESCE(r."summary", 'interrupted'), "steps" = ${markSteps(4)}
     WHERE r."status" = 'running' AND (CASE WHEN $5::text IS NULL
       THEN NOT EXISTS (SELECT 1 FROM "locks" AS l WHERE l."name" = 'sync:' || r."kind" AND l."expires_at" > now())
       ELSE r."kind" = $5::text END)`,
    previousHolder ?? null,
    SYNC_TEXT.lead,
    SYNC_TEXT.tail,
    ["running"],
    kind,
  );
}

/**
 * Shutdown: give up this process's leases at once (so another replica can start immediately) and mark its runs
 * interrupted. Called by server/start.mjs (through lifecycle()) after the grace period.
 */
export async function surrenderLeases(): Promise<void> {
  const mine = [...held];
  if (mine.length) await db().$executeRaw`UPDATE "locks" SET "expires_at" = now() - interval '1 millisecond' WHERE "holder" = ANY(${mine})`;
  held.clear();
  await sweepInterrupted();
}
