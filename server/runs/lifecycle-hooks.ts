import "server-only";
import { lifecycle } from "@/server/lifecycle";
import { resign, ROLLUP_WORKER_LOCK } from "@/server/db/leader";
import { leaseSeconds, surrenderLeases, sweepInterrupted } from "./lease";

/**
 * Process start (instrumentation.ts): sweep runs whose holder died, and again once a full lease has passed (a holder
 * killed just before this start has lost its lease by then), and install what start.mjs calls before it exits.
 */
export async function onStart(): Promise<void> {
  lifecycle().beforeExit = async () => {
    await resign(ROLLUP_WORKER_LOCK);
    await surrenderLeases();
  };
  const sweep = () =>
    sweepInterrupted().catch((err) => console.warn(`[lease] sweep of interrupted runs failed: ${err instanceof Error ? err.message : err}`));
  await sweep();
  setTimeout(() => void sweep(), (leaseSeconds() + 1) * 1000).unref?.();
}
