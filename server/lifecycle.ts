/**
 * The process's lifecycle, shared between the production entry point (server/start.mjs, plain JS outside Next's
 * bundle) and the app (inside it) through one object on globalThis under a registered Symbol:
 *   - `draining`: set by start.mjs on SIGTERM; from then on every mutation verb is refused with 503
 *     (SHUTTING_DOWN) and readiness reports not ready, so the Service sends new requests to another replica;
 *   - `active`: the holders of the leases this process holds (server/runs/lease.ts); start.mjs waits until it is
 *     empty (the running apply/sync finished) or the grace period ends;
 *   - `beforeExit`: set by the app — gives up this process's leases and marks its unfinished runs interrupted.
 */
export interface Lifecycle {
  draining: boolean;
  drainingSince?: number;
  active: Set<string>;
  beforeExit?: () => Promise<void>;
}

const KEY = Symbol.for("dnsdeck.lifecycle");

export function lifecycle(): Lifecycle {
  const g = globalThis as unknown as Record<symbol, Lifecycle | undefined>;
  g[KEY] ??= { draining: false, active: new Set() };
  return g[KEY]!;
}

export function shuttingDown(): boolean {
  return lifecycle().draining;
}

export const SHUTTING_DOWN = "dnsdeck is shutting down; retry in a few seconds (another replica will take it)";
