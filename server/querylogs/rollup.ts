/**
 * Incremental rollups of Technitium's dns_logs into dnsdeck's database, driven by a dlid watermark.
 *
 * A step reads the rows watermark < dlid ≤ hi (rollup-read.ts) and writes them (rollup-write.ts) in ONE transaction
 * that also moves the watermark with a compare-and-set, under an advisory lock: a row is counted exactly once even with
 * two workers or a crash mid-step, and counts are only ever added (Technitium's retention deletes do not remove
 * history). How far a step reaches:
 *   - behind by more than the current day: exactly one UTC day (up to its last row), so that day's per-key rows are
 *     packed straight away and written once — the first build is insert-only;
 *   - following the head: the settled rows (older than 60 s; a writer's batch may still be uncommitted), at most
 *     TICK_MAX of them, into the hot tables — the cost of a tick follows the number of new rows.
 * Once a day is over, its hot rows are packed (closeDays) and dnsdeck vacuums its own tables (vacuumOwn), so dead
 * rows stay bounded even where autovacuum is off. Failed answers are classified by cause in the same step; days built
 * by older cause rules are back-filled when the worker has time left (rollup-causes.ts). Pure apart from the handles
 * it is given.
 */
import type { Db, Stores } from "./db-types";
import { ROLLUP_LOCK, STATE_ID } from "./db-types";
import { type KeyCache, keyCache, remember } from "./dictionary";
import { ROLLED_KINDS } from "./nets";
import { backfillValueLists, closeDays } from "./rollup-close";
import { backfillCauses, type KindsOf, resolveKinds } from "./rollup-causes";
import { isTimeout } from "./raw";
import { readWindow, type WindowData } from "./rollup-read";
import { ROLLUP_VERSION, writeWindow } from "./rollup-write";
import { invalidateSigs, loadSigs, registerServers } from "./sigs";

export const SETTLE_SECONDS = 60;
/** Rows per step when following the head. */
export const TICK_MAX = 200_000;
/** A catch-up step covers one UTC day unless the day holds more rows than this (then it goes through the hot tables). */
export const DAY_MAX = 4_000_000;
/** A day may already hold this many hot rows (stragglers of the day before) and still be packed by a catch-up step. */
export const SPILL_MAX = 20_000;

export interface StepResult {
  from: number;
  to: number;
  rows: number;
  caughtUp: boolean;
  packedDay: string | null;
}

export type RollupStores = Stores & {
  deckConnect: () => Promise<Db & { release(): void }>;
  /** The client directory's kinds for failed answers' clients (rollup-causes.ts); without it they count as unknown. */
  kindsOf?: KindsOf;
};

export async function readState(deck: Db, id = STATE_ID): Promise<{ watermark: number; rowsRolled: number; updatedAt: Date | null; lastError: string | null; watermarkAt: Date | null; version: number }> {
  const { rows } = await deck.query(`SELECT watermark, rows_rolled, updated_at, last_error, watermark_at, version FROM querylog_state WHERE id = $1`, [id]);
  if (!rows.length) return { watermark: 0, rowsRolled: 0, updatedAt: null, lastError: null, watermarkAt: null, version: ROLLUP_VERSION };
  const r = rows[0];
  return { watermark: Number(r.watermark), rowsRolled: Number(r.rows_rolled), updatedAt: r.updated_at, lastError: r.last_error, watermarkAt: r.watermark_at, version: r.version };
}

export async function recordError(deck: Db, message: string, id = STATE_ID): Promise<void> {
  await deck.query(
    `INSERT INTO querylog_state (id, last_error, updated_at) VALUES ($1, $2, now())
     ON CONFLICT (id) DO UPDATE SET last_error = EXCLUDED.last_error, updated_at = now()`,
    [id, message.slice(0, 500)],
  );
}

const DAY = 86_400_000;
const utcDay = (d: Date) => d.toISOString().slice(0, 10);

interface Window {
  lo: number;
  hi: number;
  mainDay: string | null;
  newest: number;
}

/** How many times settled() reads before it answers with what it has (and says so). */
export const SETTLE_TRIES = 4;

/**
 * Runs `read` until no rollup transaction committed while it ran. A read spans several statements (the watermark, the
 * rollup tables, the raw tail past the watermark, often in parallel); a step committing between them moves rows from
 * the tail into the rollups, and a read that saw both would count them twice (a day packed mid-read: its hot and
 * packed rows). Every such transaction bumps querylog_state.epoch, so the same epoch before and after means one
 * consistent state. Costs two one-row reads; a collision (a tick commits at most every few seconds) reads again.
 * After SETTLE_TRIES collisions (a first build stepping day by day) it answers with the last read, `settled: false`.
 */
export async function settled<T>(stores: Stores, read: () => Promise<T>): Promise<{ value: T; settled: boolean }> {
  const epoch = async () => String((await stores.deck.query(`SELECT epoch FROM querylog_state WHERE id = $1`, [stores.stateId ?? STATE_ID])).rows[0]?.epoch ?? "none");
  let before = await epoch();
  for (let i = 1; ; i++) {
    const value = await read();
    const after = await epoch();
    if (after === before || i >= SETTLE_TRIES) return { value, settled: after === before };
    before = after;
  }
}

/** The note an answer carries when settled() gave up. */
export const UNSETTLED_NOTE = "dnsdeck's rollups were being written throughout this read (a catch-up in progress): counts near the newest rows may be off until it finishes; refresh to read again.";

/** Where the next step ends (null: nothing settled past the watermark). */
async function chooseWindow(stores: RollupStores, watermark: number, now: Date, settle: number, tickMax: number): Promise<Window | null> {
  const first = await stores.logs.query(`SELECT dlid, timestamp, (SELECT max(dlid) FROM dns_logs) AS newest FROM dns_logs WHERE dlid > $1 ORDER BY dlid LIMIT 1`, [watermark]);
  if (!first.rows.length) return null;
  const firstId = Number(first.rows[0].dlid);
  const newest = Number(first.rows[0].newest);
  const day0 = utcDay(new Date(first.rows[0].timestamp));
  const boundary = new Date(Date.parse(`${day0}T00:00:00Z`) + DAY);
  const settleCut = new Date(now.getTime() - settle * 1000);
  if (boundary.getTime() + settle * 1000 <= settleCut.getTime()) {
    // The day is over: end at its last row. Rows reach dns_logs at most minutes after their timestamp, so the last
    // row of the day is among the rows stamped shortly before midnight (index_timestamp).
    let hi: number | null = null;
    for (const minutes of [15, 180, 1440]) {
      // max(dlid + 0): not max(dlid), which the planner would answer by walking the primary key down from the newest row
      const r = await stores.logs.query(`SELECT max(dlid + 0) AS hi FROM dns_logs WHERE timestamp >= $1 AND timestamp < $2`, [new Date(boundary.getTime() - minutes * 60_000), boundary]);
      if (r.rows[0].hi !== null) {
        hi = Number(r.rows[0].hi);
        break;
      }
    }
    hi = Math.max(hi ?? firstId, firstId);
    if (hi - watermark > DAY_MAX) return { lo: watermark, hi: watermark + DAY_MAX, mainDay: null, newest };
    const ledger = await stores.deck.query(`SELECT packed, hot_rows FROM querylog_days WHERE day = $1::date`, [day0]);
    const l = ledger.rows[0];
    const packable = !l || (!l.packed && Number(l.hot_rows) <= SPILL_MAX);
    return { lo: watermark, hi, mainDay: packable ? day0 : null, newest };
  }
  const r = await stores.logs.query(
    `SELECT max(dlid) AS hi FROM (SELECT dlid, timestamp FROM dns_logs WHERE dlid > $1 AND dlid <= $2) w WHERE timestamp < $3`,
    [watermark, watermark + tickMax, settleCut],
  );
  if (r.rows[0].hi === null) return null;
  return { lo: watermark, hi: Number(r.rows[0].hi), mainDay: null, newest };
}

const caches = new WeakMap<object, KeyCache>();

/** A step's window as read from dns_logs, not yet written. */
interface StepRead {
  w: Window;
  data: WindowData;
}

/** The read half of a step: where it ends and what dns_logs holds there (null: nothing settled past `watermark`). */
async function readStep(stores: RollupStores, watermark: number, opts: { settleSeconds?: number; now?: Date; tickMax?: number }): Promise<StepRead | null> {
  const tickMax = opts.tickMax ?? TICK_MAX;
  let w = await chooseWindow(stores, watermark, opts.now ?? new Date(), opts.settleSeconds ?? SETTLE_SECONDS, tickMax);
  if (!w) return null;
  // Instances travel as positions in this list; a window with a new instance name is read again once it has an id.
  const servers = async () => [...(await loadSigs(stores.deck)).servers.entries()].sort((a, b) => a[0] - b[0]).map(([, n]) => n);
  let list = await servers();
  let data: WindowData;
  for (;;) {
    try {
      data = await readWindow(stores.logs, w.lo, w.hi, w.mainDay, list);
    } catch (err) {
      // A whole day did not fit in the statement timeout (a very busy day, or a very busy server): take it in smaller
      // steps through the hot tables instead; it is packed when it closes.
      if (!isTimeout(err) || !w.mainDay) throw err;
      w = { ...w, hi: Math.min(w.hi, w.lo + tickMax), mainDay: null };
      data = await readWindow(stores.logs, w.lo, w.hi, null, list);
    }
    if (!data.newServers.length) break;
    await registerServers(stores.deck, data.newServers);
    list = await servers();
  }
  return { w, data };
}

/** The write half: the window's rows into dnsdeck's tables and the watermark moved, in one transaction. */
async function writeStep(stores: RollupStores, { w, data }: StepRead): Promise<StepResult> {
  const id = stores.stateId ?? STATE_ID;
  // who asked, for the cause rollup: one directory read for the step, before its transaction
  const failedKinds = await resolveKinds(data.failed, stores.kindsOf);
  let cache = caches.get(stores.deck);
  if (!cache) caches.set(stores.deck, (cache = keyCache(stores.deck)));
  const c = await stores.deckConnect();
  let written: Awaited<ReturnType<typeof writeWindow>>;
  try {
    await c.query("BEGIN");
    await c.query(`SELECT pg_advisory_xact_lock($1)`, [ROLLUP_LOCK]);
    const moved = await c.query(
      `INSERT INTO querylog_state (id, watermark, rows_rolled, updated_at, last_error, version) VALUES ($1, $3, 0, now(), NULL, $4)
       ON CONFLICT (id) DO UPDATE SET watermark = EXCLUDED.watermark, updated_at = now(), last_error = NULL
       WHERE querylog_state.watermark = $2
       RETURNING watermark`,
      [id, w.lo, w.hi, ROLLUP_VERSION],
    );
    if (!moved.rows.length) {
      // Another worker moved the watermark first; its counts already include these rows.
      await c.query("ROLLBACK");
      return { from: w.lo, to: w.lo, rows: 0, caughtUp: false, packedDay: null };
    }
    const dict = await loadSigs(c);
    written = await writeWindow(c, data, w.mainDay, dict, cache, failedKinds);
    await c.query(`UPDATE querylog_state SET rows_rolled = rows_rolled + $2, watermark_at = greatest(watermark_at, $3), epoch = epoch + 1 WHERE id = $1`, [id, written.rows, data.maxTs]);
    await c.query("COMMIT");
  } catch (err) {
    await c.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    c.release();
  }
  for (const kind of ROLLED_KINDS) remember(cache, kind, written.ids[kind]);
  invalidateSigs();
  return { from: w.lo, to: w.hi, rows: written.rows, caughtUp: w.hi >= w.newest, packedDay: w.mainDay };
}

/** One step. `deckConnect` must give a dedicated connection (the transaction); a pg Pool's `connect()` does. */
export async function rollupStep(stores: RollupStores, opts: { settleSeconds?: number; now?: Date; tickMax?: number } = {}): Promise<StepResult> {
  const { watermark } = await readState(stores.deck, stores.stateId ?? STATE_ID);
  const read = await readStep(stores, watermark, opts);
  if (!read) return { from: watermark, to: watermark, rows: 0, caughtUp: true, packedDay: null };
  return writeStep(stores, read);
}

/**
 * A read made ahead (while the step before it was written) is used only if it still holds: the watermark is where it
 * began, and its day is still packable — the step before may have added that day's stragglers to the hot tables.
 */
async function stillHolds(stores: RollupStores, read: StepRead, watermark: number): Promise<boolean> {
  if (read.w.lo !== watermark) return false;
  if (!read.w.mainDay) return true;
  const { rows } = await stores.deck.query(`SELECT packed, hot_rows FROM querylog_days WHERE day = $1::date`, [read.w.mainDay]);
  return !rows[0] || (!rows[0].packed && Number(rows[0].hot_rows) <= SPILL_MAX);
}

/** Tables dnsdeck updates in place (upserts, hot rows deleted when a day is packed): vacuumed by dnsdeck itself. */
export const VACUUMED = ["querylog_sig_day", "querylog_class_day", "querylog_sig_5m", "querylog_sig_5m_day", "querylog_rtt_day", "querylog_rtt_hour", "querylog_rtt_hour_day", "querylog_hour_span", "querylog_key_hot", "querylog_key_hot_rtt", "querylog_key_hot_day", "querylog_days", "querylog_state", "querylog_names", "querylog_clients", "querylog_nets", "querylog_key_day", "querylog_top_day", "querylog_sample", "querylog_cause_day", "querylog_cause_days"];

/** VACUUM dnsdeck's own rollup tables (outside any transaction; cheap: pages already all-visible are skipped). */
export async function vacuumOwn(deck: Db, id = STATE_ID): Promise<void> {
  await deck.query(`VACUUM (ANALYZE) ${VACUUMED.join(", ")}`);
  await deck.query(`UPDATE querylog_state SET vacuumed_at = now() WHERE id = $1`, [id]);
}

/** The worker's options for each tick (the benchmark times the first build with the same ones). */
export const WORKER_TICK = { budgetMs: 5_000 } as const;

export interface TickResult {
  steps: number;
  rows: number;
  caughtUp: boolean;
  packedDays: string[];
  /** Days whose cause rows were rebuilt with the current rules (rollup-causes.ts). */
  backfilled: string[];
  /** Days given the per-value ranked lists they were packed without (rollup-close.ts backfillValueLists). */
  listed: string[];
}

/**
 * What the worker does each time it wakes: steps until caught up or `budgetMs` spent, packs the days that are over,
 * and vacuums dnsdeck's tables when a catch-up finished, a day was packed, or ten minutes passed.
 */
export async function rollupTick(stores: RollupStores, opts: { budgetMs?: number; maxSteps?: number; settleSeconds?: number; now?: Date; log?: (s: StepResult) => void } = {}): Promise<TickResult> {
  const started = Date.now();
  let rows = 0;
  let steps = 0;
  let caughtUp = false;
  const packedDays: string[] = [];
  const budget = opts.budgetMs ?? 10_000;
  const maxSteps = opts.maxSteps ?? Infinity;
  // Catching up, the next day is read from dns_logs while this one is written to dnsdeck's tables: the two databases'
  // work and this process's own overlap instead of taking turns (the first build's wall time; see docs/benchmarks.md).
  let ahead: Promise<StepRead | null> | null = null;
  let lastStepMs = 0;
  while (steps < maxSteps && Date.now() - started < budget) {
    const t = Date.now();
    const { watermark } = await readState(stores.deck, stores.stateId ?? STATE_ID);
    const early = ahead ? await ahead.catch(() => null) : null;
    ahead = null;
    const read = early && (await stillHolds(stores, early, watermark)) ? early : await readStep(stores, watermark, opts);
    if (!read) {
      opts.log?.({ from: watermark, to: watermark, rows: 0, caughtUp: true, packedDay: null });
      steps++;
      caughtUp = true;
      break;
    }
    // only while catching up (whole days), and only when the next step would still fit in this tick's budget
    if (read.w.mainDay && read.w.hi < read.w.newest && steps + 1 < maxSteps && Date.now() - started + lastStepMs < budget) {
      ahead = readStep(stores, read.w.hi, opts);
      ahead.catch(() => {}); // a failed read ahead is read again (and its error met) by the next step
    }
    const r = await writeStep(stores, read);
    lastStepMs = Date.now() - t;
    steps++;
    opts.log?.(r);
    rows += r.rows;
    if (r.packedDay) packedDays.push(r.packedDay);
    if (r.caughtUp) {
      caughtUp = true;
      break;
    }
  }
  // the budget ran out with a read ahead in flight: let it finish (no query of this tick outlives it); it is read again
  if (ahead) await ahead.catch(() => null);
  if (rows > 0) await cleanNamePending(stores.deck);
  const closed = await closeDays(stores, { settleSeconds: opts.settleSeconds ?? SETTLE_SECONDS });
  packedDays.push(...closed);
  // caught up with time left: rebuild the cause rows of days older rules built (or built before causes existed)
  let backfilled: string[] = [];
  const left = (opts.budgetMs ?? 10_000) - (Date.now() - started);
  if (caughtUp && left > 500) backfilled = await backfillCauses(stores, { budgetMs: Math.min(left, 3_000) });
  // and the per-value ranked lists of days packed before they existed
  let listed: string[] = [];
  const after = (opts.budgetMs ?? 10_000) - (Date.now() - started);
  if (caughtUp && after > 500) listed = await backfillValueLists(stores, { budgetMs: Math.min(after, 3_000) });
  const state = await stores.deck.query(`SELECT vacuumed_at FROM querylog_state WHERE id = $1`, [stores.stateId ?? STATE_ID]);
  const last = state.rows[0]?.vacuumed_at ? new Date(state.rows[0].vacuumed_at).getTime() : 0;
  if ((caughtUp && (packedDays.length || rows > 100_000)) || closed.length || backfilled.length || listed.length || (rows > 0 && Date.now() - last > 600_000)) await vacuumOwn(stores.deck, stores.stateId);
  return { steps, rows, caughtUp, packedDays, backfilled, listed };
}

/**
 * Moves the names' trigram index's pending list into the index proper. New names wait in that list (fastupdate: cheap
 * inserts while catching up), and every `*.suffix` or `~substring` search reads the whole list: at 27M rows it held
 * 37,000 names after a build and a suffix search took 275 ms instead of 2 ms. Emptied after each tick that rolled rows
 * (a few names in steady state; one day's new names while catching up) rather than only by the ten-minute VACUUM.
 * Best effort: a PostgreSQL that refuses it (not the index's owner) still answers, only slower.
 */
async function cleanNamePending(deck: Db): Promise<void> {
  await deck.query(`SELECT gin_clean_pending_list('querylog_names_name_trgm_idx'::regclass)`).catch(() => {});
}

/** Run ticks until caught up (tests, the benchmark, a first build from the command line). */
export async function rollupCatchUp(stores: RollupStores, opts: { maxSteps?: number; settleSeconds?: number; now?: Date; log?: (s: StepResult) => void } = {}): Promise<{ steps: number; rows: number; caughtUp: boolean }> {
  let steps = 0;
  let rows = 0;
  for (;;) {
    const t = await rollupTick(stores, { ...opts, maxSteps: (opts.maxSteps ?? 100_000) - steps });
    steps += t.steps;
    rows += t.rows;
    if (t.caughtUp || steps >= (opts.maxSteps ?? 100_000)) return { steps, rows, caughtUp: t.caughtUp };
  }
}
