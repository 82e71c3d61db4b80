import "server-only";
import { env } from "@/server/env";
import { deckPool, logsPool } from "./db";
import { recordError, rollupTick, WORKER_TICK } from "./rollup";
import { isLeader, ROLLUP_WORKER_LOCK } from "@/server/db/leader";
import { directoryKinds } from "./service";

/**
 * The rollup worker, started once per server process from instrumentation.ts; each tick runs only on the replica
 * holding the advisory lock ROLLUP_WORKER_LOCK (the others skip and take over when it dies). It never throws: with
 * QUERYLOG_DATABASE_URL unset it does nothing; when either database is down it records the error, waits and retries,
 * resuming from the watermark. Each tick runs `rollupTick` for at most a few seconds (one UTC day per step while
 * catching up), then yields; caught up, it wakes every 15 s.
 */
const g = globalThis as unknown as { __dnsdeckQlWorker?: { timer?: NodeJS.Timeout; stopped: boolean } };

export function startRollupWorker(): void {
  try {
    if (g.__dnsdeckQlWorker) return;
    if (!env().QUERYLOG_DATABASE_URL) return;
    const state = (g.__dnsdeckQlWorker = { stopped: false } as { timer?: NodeJS.Timeout; stopped: boolean });
    let lastError = "";
    const tick = async () => {
      let delay = 15_000;
      try {
        const logs = logsPool();
        if (!logs) return;
        if (!(await isLeader(ROLLUP_WORKER_LOCK))) return; // another replica rolls up (advisory lock, server/db/leader.ts)
        const deck = deckPool();
        const r = await rollupTick({ logs, deck, deckConnect: () => deck.connect(), kindsOf: directoryKinds }, WORKER_TICK);
        delay = r.caughtUp ? 15_000 : 50;
        lastError = "";
      } catch (err) {
        const msg = err instanceof Error ? err.message : String(err);
        if (msg !== lastError) console.warn(`[querylogs] rollup paused: ${msg} (retrying every 30 s from the watermark)`);
        lastError = msg;
        delay = 30_000;
        await recordError(deckPool(), msg).catch(() => {});
      } finally {
        if (!state.stopped) {
          state.timer = setTimeout(() => void tick(), delay);
          state.timer.unref?.();
        }
      }
    };
    state.timer = setTimeout(() => void tick(), 2000);
    state.timer.unref?.();
  } catch (err) {
    console.warn(`[querylogs] rollup worker not started: ${err instanceof Error ? err.message : err}`);
  }
}

export function stopRollupWorker(): void {
  const s = g.__dnsdeckQlWorker;
  if (s) {
    s.stopped = true;
    if (s.timer) clearTimeout(s.timer);
    g.__dnsdeckQlWorker = undefined;
  }
}
