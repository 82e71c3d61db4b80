/**
 * Incremental rollups of Technitium's dns_logs into dnsdeck's database, driven by a dlid watermark.
 *
 * One step reads the rows with watermark < dlid ≤ watermark + batch (primary-key range scan, three aggregate queries
 * on the read-only side), then, in ONE transaction on dnsdeck's side, adds them to
 *   querylog_hourly / querylog_daily  (hour|day × server × response_type × rcode × qtype × protocol counts)
 *   querylog_hour_span                (hour × server: count, min/max dlid — turns time ranges into dlid ranges)
 *   querylog_rtt                      (hour × server × log-scale RTT bucket counts, Recursive only)
 *   querylog_top                      (day × server × kind (0 names, 1 clients, 2 blocked names) counts, trimmed to
 *                                      the top 500 once a day is two days old)
 *   querylog_names / querylog_clients (dictionaries for substring, wildcard and CIDR searches)
 * and moves the watermark with a compare-and-set. Counts are only ever added together with the watermark move, and
 * the watermark only moves forward, so a row is counted exactly once even with two workers or a crash mid-step.
 *
 * Retention deletes by Technitium (lowest dlids first) happen under already-rolled rows: the rollup buckets are kept
 * as history (never decremented, never re-counted). Readers clip row queries and counts to the oldest row still in
 * dns_logs; charts may show older buckets and say they outlive the raw rows.
 *
 * Rows newer than 60 s are left for the next step (a writer's batch may still be uncommitted), so the watermark
 * never passes a dlid whose row could still appear. Readers cover dlid > watermark with raw queries (the tail).
 */
import type { Db, Stores } from "./db-types";
import { STATE_ID } from "./db-types";

export const RTT_BASE = 0.1; // ms
export const RTT_FACTOR = 1.2;
export const RTT_BUCKETS = 80;
export const TOP_KEEP = 500;
export const RANKED_KEEP = 50;
export const SETTLE_SECONDS = 60;

/** Lower bound (ms) of RTT bucket b. */
export const rttBucketLow = (b: number) => RTT_BASE * RTT_FACTOR ** b;

export interface StepResult {
  from: number;
  to: number;
  rows: number;
  caughtUp: boolean;
}

export async function readState(deck: Db, id = STATE_ID): Promise<{ watermark: number; rowsRolled: number; updatedAt: Date | null; lastError: string | null }> {
  const { rows } = await deck.query(`SELECT watermark, rows_rolled, updated_at, last_error FROM querylog_state WHERE id = $1`, [id]);
  if (!rows.length) return { watermark: 0, rowsRolled: 0, updatedAt: null, lastError: null };
  return { watermark: Number(rows[0].watermark), rowsRolled: Number(rows[0].rows_rolled), updatedAt: rows[0].updated_at, lastError: rows[0].last_error };
}

export async function recordError(deck: Db, message: string, id = STATE_ID): Promise<void> {
  await deck.query(
    `INSERT INTO querylog_state (id, last_error, updated_at) VALUES ($1, $2, now())
     ON CONFLICT (id) DO UPDATE SET last_error = EXCLUDED.last_error, updated_at = now()`,
    [id, message.slice(0, 500)],
  );
}

/**
 * Roll up at most `batch` dlids past the watermark. `deckConnect` must give a dedicated connection (for the
 * transaction); a pg Pool's `connect()` does.
 */
export async function rollupStep(
  stores: Stores & { deckConnect: () => Promise<Db & { release(): void }> },
  opts: { batch?: number; settleSeconds?: number; now?: Date } = {},
): Promise<StepResult> {
  const id = stores.stateId ?? STATE_ID;
  const batch = opts.batch ?? 250_000;
  const settle = opts.settleSeconds ?? SETTLE_SECONDS;
  const { watermark } = await readState(stores.deck, id);
  const now = opts.now ?? new Date();

  // The highest dlid in the window whose row is older than the settle time; rows past it wait for the next step.
  const top = await stores.logs.query(
    `SELECT max(dlid)::bigint AS hi, (SELECT max(dlid) FROM dns_logs)::bigint AS newest
       FROM (SELECT dlid, timestamp FROM dns_logs WHERE dlid > $1 AND dlid <= $2) w
      WHERE timestamp < $3::timestamptz - make_interval(secs => $4)`,
    [watermark, watermark + batch, now.toISOString(), settle],
  );
  const newest = Number(top.rows[0]?.newest ?? 0);
  let hi = top.rows[0]?.hi === null || top.rows[0]?.hi === undefined ? null : Number(top.rows[0].hi);
  if (hi === null) {
    // Nothing settled in this window: either caught up, or a gap (deleted ids) — skip gaps that hold no rows at all.
    const any = await stores.logs.query(`SELECT min(dlid)::bigint AS next FROM dns_logs WHERE dlid > $1`, [watermark]);
    const next = any.rows[0]?.next === null ? null : Number(any.rows[0].next);
    if (next === null || next <= watermark + batch) return { from: watermark, to: watermark, rows: 0, caughtUp: true };
    hi = next - 1; // jump over an empty stretch of ids
  }
  const lo = watermark;

  const [hourly, rtt, top2] = await Promise.all([
    stores.logs.query(
      `SELECT date_trunc('hour', timestamp, 'UTC') AS hour, coalesce(server, '') AS server, response_type, rcode,
              coalesce(qtype, -1) AS qtype, protocol, count(*)::bigint AS n, min(dlid)::bigint AS lo, max(dlid)::bigint AS hi
         FROM dns_logs WHERE dlid > $1 AND dlid <= $2 GROUP BY 1, 2, 3, 4, 5, 6`,
      [lo, hi],
    ),
    stores.logs.query(
      `SELECT date_trunc('hour', timestamp, 'UTC') AS hour, coalesce(server, '') AS server,
              least(${RTT_BUCKETS - 1}, greatest(0, floor(ln(greatest(response_rtt, ${RTT_BASE}) / ${RTT_BASE}) / ln(${RTT_FACTOR}))))::int AS bucket,
              count(*)::bigint AS n
         FROM dns_logs WHERE dlid > $1 AND dlid <= $2 AND response_type = 2 AND response_rtt IS NOT NULL GROUP BY 1, 2, 3`,
      [lo, hi],
    ),
    stores.logs.query(
      `WITH w AS (SELECT ((timestamp AT TIME ZONE 'UTC')::date)::text AS day, coalesce(server, '') AS server, client_ip, qname, response_type
                    FROM dns_logs WHERE dlid > $1 AND dlid <= $2)
       SELECT day, server, 0 AS kind, qname AS key, count(*)::bigint AS n FROM w WHERE qname IS NOT NULL GROUP BY 1, 2, 4
       UNION ALL
       SELECT day, server, 1, client_ip, count(*)::bigint FROM w GROUP BY 1, 2, 4
       UNION ALL
       SELECT day, server, 2, qname, count(*)::bigint FROM w WHERE qname IS NOT NULL AND response_type IN (4, 5, 6) GROUP BY 1, 2, 4`,
      [lo, hi],
    ),
  ]);

  const rows = hourly.rows.reduce((s, r) => s + Number(r.n), 0);
  const daily = new Map<string, { day: string; server: string; rt: number; rcode: number; qtype: number; protocol: number; n: number }>();
  const span = new Map<string, { hour: Date; server: string; n: number; lo: number; hi: number }>();
  for (const r of hourly.rows) {
    const day = new Date(r.hour).toISOString().slice(0, 10);
    const dk = `${day}|${r.server}|${r.response_type}|${r.rcode}|${r.qtype}|${r.protocol}`;
    const d = daily.get(dk) ?? { day, server: r.server, rt: r.response_type, rcode: r.rcode, qtype: r.qtype, protocol: r.protocol, n: 0 };
    d.n += Number(r.n);
    daily.set(dk, d);
    const sk = `${new Date(r.hour).toISOString()}|${r.server}`;
    const s = span.get(sk) ?? { hour: r.hour, server: r.server, n: 0, lo: Number(r.lo), hi: Number(r.hi) };
    s.n += Number(r.n);
    s.lo = Math.min(s.lo, Number(r.lo));
    s.hi = Math.max(s.hi, Number(r.hi));
    span.set(sk, s);
  }
  const names = top2.rows.filter((r) => r.kind === 0);
  const clients = top2.rows.filter((r) => r.kind === 1);
  const days = [...new Set(top2.rows.map((r) => String(r.day)))].sort();

  const c = await stores.deckConnect();
  try {
    await c.query("BEGIN");
    const moved = await c.query(
      `INSERT INTO querylog_state (id, watermark, rows_rolled, updated_at, last_error) VALUES ($1, $3, $4, now(), NULL)
       ON CONFLICT (id) DO UPDATE SET watermark = EXCLUDED.watermark, rows_rolled = querylog_state.rows_rolled + EXCLUDED.rows_rolled,
         updated_at = now(), last_error = NULL
       WHERE querylog_state.watermark = $2
       RETURNING watermark`,
      [id, lo, hi, rows],
    );
    if (!moved.rows.length) {
      // Another worker moved the watermark first; its counts already include these rows.
      await c.query("ROLLBACK");
      return { from: lo, to: lo, rows: 0, caughtUp: false };
    }
    const h = hourly.rows;
    if (h.length)
      await c.query(
        `INSERT INTO querylog_hourly AS t (hour, server, response_type, rcode, qtype, protocol, count, min_dlid, max_dlid)
         SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::smallint[], $4::smallint[], $5::int[], $6::smallint[], $7::bigint[], $8::bigint[], $9::bigint[])
         ON CONFLICT (hour, server, response_type, rcode, qtype, protocol) DO UPDATE SET count = t.count + EXCLUDED.count,
           min_dlid = least(t.min_dlid, EXCLUDED.min_dlid), max_dlid = greatest(t.max_dlid, EXCLUDED.max_dlid)`,
        [h.map((r) => r.hour), h.map((r) => r.server), h.map((r) => r.response_type), h.map((r) => r.rcode), h.map((r) => r.qtype), h.map((r) => r.protocol), h.map((r) => r.n), h.map((r) => r.lo), h.map((r) => r.hi)],
      );
    const d = [...daily.values()];
    if (d.length)
      await c.query(
        `INSERT INTO querylog_daily AS t (day, server, response_type, rcode, qtype, protocol, count)
         SELECT * FROM unnest($1::date[], $2::text[], $3::smallint[], $4::smallint[], $5::int[], $6::smallint[], $7::bigint[])
         ON CONFLICT (day, server, response_type, rcode, qtype, protocol) DO UPDATE SET count = t.count + EXCLUDED.count`,
        [d.map((r) => r.day), d.map((r) => r.server), d.map((r) => r.rt), d.map((r) => r.rcode), d.map((r) => r.qtype), d.map((r) => r.protocol), d.map((r) => r.n)],
      );
    const drt = new Map<string, { day: string; server: string; rt: number; rcode: number; n: number }>();
    for (const r of d) {
      const k = `${r.day}|${r.server}|${r.rt}|${r.rcode}`;
      const e = drt.get(k) ?? { day: r.day, server: r.server, rt: r.rt, rcode: r.rcode, n: 0 };
      e.n += r.n;
      drt.set(k, e);
    }
    const dr = [...drt.values()];
    if (dr.length)
      await c.query(
        `INSERT INTO querylog_daily_rt AS t (day, server, response_type, rcode, count)
         SELECT * FROM unnest($1::date[], $2::text[], $3::smallint[], $4::smallint[], $5::bigint[])
         ON CONFLICT (day, server, response_type, rcode) DO UPDATE SET count = t.count + EXCLUDED.count`,
        [dr.map((r) => r.day), dr.map((r) => r.server), dr.map((r) => r.rt), dr.map((r) => r.rcode), dr.map((r) => r.n)],
      );
    const s = [...span.values()];
    if (s.length)
      await c.query(
        `INSERT INTO querylog_hour_span AS t (hour, server, count, min_dlid, max_dlid)
         SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::bigint[], $4::bigint[], $5::bigint[])
         ON CONFLICT (hour, server) DO UPDATE SET count = t.count + EXCLUDED.count,
           min_dlid = least(t.min_dlid, EXCLUDED.min_dlid), max_dlid = greatest(t.max_dlid, EXCLUDED.max_dlid)`,
        [s.map((r) => r.hour), s.map((r) => r.server), s.map((r) => r.n), s.map((r) => r.lo), s.map((r) => r.hi)],
      );
    if (rtt.rows.length) {
      const rd = new Map<string, { day: string; server: string; bucket: number; n: number }>();
      for (const r of rtt.rows) {
        const day = new Date(r.hour).toISOString().slice(0, 10);
        const k = `${day}|${r.server}|${r.bucket}`;
        const e = rd.get(k) ?? { day, server: r.server, bucket: r.bucket, n: 0 };
        e.n += Number(r.n);
        rd.set(k, e);
      }
      const v = [...rd.values()];
      await c.query(
        `INSERT INTO querylog_rtt_daily AS t (day, server, bucket, count)
         SELECT * FROM unnest($1::date[], $2::text[], $3::smallint[], $4::bigint[])
         ON CONFLICT (day, server, bucket) DO UPDATE SET count = t.count + EXCLUDED.count`,
        [v.map((r) => r.day), v.map((r) => r.server), v.map((r) => r.bucket), v.map((r) => r.n)],
      );
    }
    if (rtt.rows.length)
      await c.query(
        `INSERT INTO querylog_rtt AS t (hour, server, bucket, count)
         SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::smallint[], $4::bigint[])
         ON CONFLICT (hour, server, bucket) DO UPDATE SET count = t.count + EXCLUDED.count`,
        [rtt.rows.map((r) => r.hour), rtt.rows.map((r) => r.server), rtt.rows.map((r) => r.bucket), rtt.rows.map((r) => r.n)],
      );
    const t = top2.rows;
    if (t.length)
      await c.query(
        `INSERT INTO querylog_top AS t (day, server, kind, key, count)
         SELECT * FROM unnest($1::date[], $2::text[], $3::smallint[], $4::text[], $5::bigint[])
         ON CONFLICT (day, server, kind, key) DO UPDATE SET count = t.count + EXCLUDED.count`,
        [t.map((r) => r.day), t.map((r) => r.server), t.map((r) => r.kind), t.map((r) => r.key), t.map((r) => r.n)],
      );
    // Dictionaries with all-time hit counts (the readers' access-path hint).
    const sumBy = (rows: { key: string; n: string }[]) => {
      const m = new Map<string, number>();
      for (const r of rows) m.set(r.key, (m.get(r.key) ?? 0) + Number(r.n));
      return m;
    };
    const nameHits = sumBy(names);
    const clientHits = sumBy(clients);
    if (nameHits.size)
      await c.query(
        `INSERT INTO querylog_names AS t (name, first_dlid, hits) SELECT n, $2::bigint, h FROM unnest($1::text[], $3::bigint[]) AS u(n, h)
         ON CONFLICT (name) DO UPDATE SET hits = t.hits + EXCLUDED.hits`,
        [[...nameHits.keys()], hi, [...nameHits.values()]],
      );
    if (clientHits.size)
      await c.query(
        `INSERT INTO querylog_clients AS t (ip, addr, hits)
         SELECT ip, CASE WHEN ip ~ '^[0-9]{1,3}(\\.[0-9]{1,3}){3}$' OR ip ~ '^[0-9a-fA-F:.]+$' AND ip LIKE '%:%' THEN ip::inet END, h
           FROM unnest($1::text[], $2::bigint[]) AS u(ip, h)
         ON CONFLICT (ip) DO UPDATE SET hits = t.hits + EXCLUDED.hits`,
        [[...clientHits.keys()], [...clientHits.values()]],
      );
    // Re-rank the days this step touched into querylog_top_ranked (top RANKED_KEEP per day × server × kind; what
    // long-range top lists read), and trim querylog_top to TOP_KEEP for days two days behind the newest day seen.
    if (days.length) {
      await c.query(`DELETE FROM querylog_top_ranked WHERE day = ANY($1::date[])`, [days]);
      await c.query(
        `INSERT INTO querylog_top_ranked (day, server, kind, rnk, key, count)
         SELECT day, server, kind, rn, key, count FROM (
           SELECT day, server, kind, key, count, row_number() OVER (PARTITION BY day, server, kind ORDER BY count DESC, key) AS rn
             FROM (SELECT day, server, kind, key, count FROM querylog_top WHERE day = ANY($1::date[])
                   UNION ALL
                   SELECT day, '*', kind, key, sum(count) FROM querylog_top WHERE day = ANY($1::date[]) GROUP BY day, kind, key) a) x
         WHERE rn <= $2`,
        [days, RANKED_KEEP],
      );
      const newestDay = new Date(`${days[days.length - 1]}T00:00:00Z`);
      const cutoff = new Date(newestDay.getTime() - 2 * 86_400_000).toISOString().slice(0, 10);
      const first = new Date(new Date(`${days[0]}T00:00:00Z`).getTime() - 3 * 86_400_000).toISOString().slice(0, 10);
      await c.query(
        `DELETE FROM querylog_top t USING (
           SELECT day, server, kind, key, row_number() OVER (PARTITION BY day, server, kind ORDER BY count DESC, key) AS rn
             FROM querylog_top WHERE day >= $1::date AND day < $2::date) x
         WHERE x.rn > $3 AND t.day = x.day AND t.server = x.server AND t.kind = x.kind AND t.key = x.key`,
        [first, cutoff, TOP_KEEP],
      );
    }
    await c.query("COMMIT");
  } catch (err) {
    await c.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    c.release();
  }
  return { from: lo, to: hi, rows, caughtUp: hi >= newest };
}

/** Run steps until caught up or `maxSteps` ran (bounded catch-up). */
export async function rollupCatchUp(
  stores: Parameters<typeof rollupStep>[0],
  opts: { batch?: number; maxSteps?: number; settleSeconds?: number; now?: Date; log?: (s: StepResult) => void } = {},
): Promise<{ steps: number; rows: number; caughtUp: boolean }> {
  let rows = 0;
  for (let i = 0; i < (opts.maxSteps ?? 20); i++) {
    const r = await rollupStep(stores, opts);
    opts.log?.(r);
    rows += r.rows;
    if (r.caughtUp) return { steps: i + 1, rows, caughtUp: true };
  }
  return { steps: opts.maxSteps ?? 20, rows, caughtUp: false };
}
