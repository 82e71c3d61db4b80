import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { countRows } from "../query";
import { readState, rollupStep, rollupTick, type RollupStores, settled, VACUUMED } from "../rollup";
import { queryStats } from "../stats";
import { backfillValueLists } from "../rollup-close";
import { sliceQtype, sliceRcode } from "../rollup-pack";
import pg from "pg";
import { freshDatabase } from "@/server/testing/db";
import { END, type Fixture, fixture, NOW, parse } from "./fixture";

// The rollups themselves: every row counted exactly once, closed days packed straight from the catch-up, the open day
// in the hot tables until it closes, stragglers and retention deletes, dead rows bounded by dnsdeck's own VACUUM.
let fx: Fixture;
before(async () => {
  fx = await fixture({ perDay: 6000, seed: 3 });
});
after(() => fx?.close());

const total = async () => Number((await fx.logs.query(`SELECT count(*) AS n FROM dns_logs`)).rows[0].n);
/** The open days' per-key totals as kept, and as the hot rows sum them (clients and names). */
const dayTotals = async () => {
  const kept = await fx.deck.query(`SELECT kind, day::text AS day, key_id, n, b FROM querylog_key_hot_day h WHERE EXISTS (SELECT 1 FROM querylog_days d WHERE d.day = h.day AND NOT d.packed) ORDER BY 1, 2, 3`);
  const summed = await fx.deck.query(
    `SELECT kind, (hour AT TIME ZONE 'UTC')::date::text AS day, key_id, sum(n)::int AS n, coalesce(sum(n) FILTER (WHERE s.response_type IN (4, 5, 6)), 0)::int AS b
       FROM querylog_key_hot h JOIN querylog_sigs s ON s.id = h.sig
      WHERE kind IN (0, 1) AND EXISTS (SELECT 1 FROM querylog_days d WHERE d.day = (h.hour AT TIME ZONE 'UTC')::date AND NOT d.packed) GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`,
  );
  return { kept: kept.rows, summed: summed.rows };
};
const rolled = async () => Number((await fx.deck.query(`SELECT coalesce(sum(n), 0) AS n FROM querylog_sig_day`)).rows[0].n);
const insert = (at: Date, n: number, client = "192.168.1.66") =>
  fx.logs.query(
    `INSERT INTO dns_logs (server, timestamp, client_ip, protocol, response_type, response_rtt, rcode, qname, qtype, qclass, answer)
     SELECT 'technitium', $1::timestamptz + (i || ' ms')::interval, $3, 0, 2, 7.5, 0, 'late' || (i % 3) || '.example.org', 1, 1, 'A 1.2.3.4' FROM generate_series(1, $2) i`,
    [at, n, client],
  );

test("the first build counts every row once: closed days packed, the open day hot; a second run adds nothing", async () => {
  assert.equal(await rolled(), await total());
  const days = await fx.deck.query(`SELECT day::text AS day, packed FROM querylog_days ORDER BY day`);
  assert.deepEqual(days.rows.map((r) => r.packed), [true, true, true, false], "three closed days packed, END's day open");
  assert.ok(Number((await fx.deck.query(`SELECT count(*) AS n FROM querylog_key_day`)).rows[0].n) > 0);
  assert.ok(Number((await fx.deck.query(`SELECT count(*) AS n FROM querylog_top_day`)).rows[0].n) > 0);
  const again = await rollupStep(fx.stores, { now: NOW });
  assert.deepEqual([again.rows, again.caughtUp], [0, true]);
  assert.equal(await rolled(), await total());
});

test("catching up, a tick reads the next day while it writes this one, and each day packed holds exactly its rows", async () => {
  const db = await freshDatabase({ prefix: "ql_deck_ahead" });
  const deck = new pg.Pool({ connectionString: db.url, max: 4 });
  try {
    // what happens, in order: each day's main read starting (by its first dlid) and each step's commit
    const events: string[] = [];
    type Q = (sql: string | { text: string; values?: unknown[] }, args?: unknown[]) => Promise<unknown>;
    const watch = (q: Q, on: (text: string, args: unknown[] | undefined) => void): Q => (sql, args) => {
      const text = typeof sql === "string" ? sql : sql.text;
      return q(sql, args).then((r) => (on(text, typeof sql === "string" ? args : sql.values), r));
    };
    const spied = <T extends object>(target: T, on: (text: string, args: unknown[] | undefined) => void, started = false): T =>
      new Proxy(target, {
        get(t, prop) {
          const v = Reflect.get(t, prop, t);
          if (prop === "query") return started ? (sql: Parameters<Q>[0], args?: unknown[]) => (on(typeof sql === "string" ? sql : sql.text, typeof sql === "string" ? args : sql.values), (v as Q).call(t, sql, args)) : watch((v as Q).bind(t), on);
          if (prop === "connect") return async () => spied(await (v as () => Promise<object>).call(t), on, started);
          return typeof v === "function" ? v.bind(t) : v;
        },
      });
    // a day's main read, logged as it is sent; a step's commit, logged once it is done
    const logs = spied(fx.logs, (text, args) => void (text.includes("GROUPING(s5, client_ip)") && events.push(`read ${args?.[0]}`)), true);
    const deckConnect = async () => spied(await deck.connect(), (text) => void (text === "COMMIT" && events.push("commit")));
    const t = await rollupTick({ logs, deck, deckConnect }, { now: NOW, budgetMs: 60_000, maxSteps: 3 });
    assert.deepEqual(t.packedDays.slice(0, 3).length, 3, `three closed days in three steps: ${t.packedDays}`);
    // the second and third days' reads began before the step before them committed
    // (a fresh database reads its first day twice: again once the instances' names have ids)
    const windows = [...new Set(events.filter((e) => e.startsWith("read")))];
    const commits = events.flatMap((e, i) => (e === "commit" ? [i] : []));
    assert.equal(windows.length, 3, events.join(", "));
    assert.equal(commits.length, 3, events.join(", "));
    assert.ok(events.indexOf(windows[1]) < commits[0] && events.indexOf(windows[2]) < commits[1], `each next day read before the step before committed: ${events.join(", ")}`);
    // each packed day holds exactly its rows in dns_logs, in the ledger and in the signature cube
    const truth = await fx.logs.query(`SELECT (timestamp AT TIME ZONE 'UTC')::date::text AS day, count(*)::int AS n FROM dns_logs GROUP BY 1 ORDER BY 1`);
    const ledger = await deck.query(`SELECT d.day::text AS day, d.rows::int AS rows, (SELECT sum(n)::int FROM querylog_sig_day s WHERE s.day = d.day) AS cube FROM querylog_days d WHERE packed ORDER BY day`);
    assert.equal(ledger.rows.length, 3);
    for (const r of ledger.rows) {
      const n = truth.rows.find((x) => x.day === r.day)?.n;
      assert.deepEqual([r.rows, r.cube], [n, n], r.day);
    }
  } finally {
    await deck.end();
    await db.drop();
  }
});

test("a tick reads only the new rows, and two workers at once still count each row once", async () => {
  const before = await readState(fx.deck);
  await insert(new Date(END.getTime() + 5_000), 40);
  const later = new Date(NOW.getTime() + 120_000);
  const [a, b] = await Promise.all([rollupStep(fx.stores, { now: later }), rollupStep(fx.stores, { now: later })]);
  assert.equal(a.rows + b.rows, 40);
  assert.equal(Math.min(a.from, b.from), before.watermark, "the step starts at the watermark");
  assert.equal(await rolled(), await total());
  const c = await countRows(fx.stores, parse({ client: "192.168.1.66", to: new Date(END.getTime() + 600_000).toISOString() }).filter);
  assert.deepEqual([c.kind, c.value], ["rollup", 40]);
  // the open day's per-key totals (what top lists rank the open day from) follow the hot rows, step by step
  const t = await dayTotals();
  assert.ok(t.kept.length > 0);
  assert.deepEqual(t.kept, t.summed);
});

test("the open day closes once the watermark passes its end: packed from the hot tables, counts unchanged", async () => {
  const nextDay = new Date(Date.UTC(END.getUTCFullYear(), END.getUTCMonth(), END.getUTCDate() + 1, 0, 5));
  await insert(nextDay, 30, "192.168.1.67");
  const f = parse({ client: "192.168.1.66", to: new Date(nextDay.getTime() + 3600_000).toISOString() }).filter;
  const before = await countRows(fx.stores, f);
  const t = await rollupTick(fx.stores, { now: new Date(nextDay.getTime() + 3600_000) });
  assert.ok(t.packedDays.includes(END.toISOString().slice(0, 10)), `packed ${t.packedDays}`);
  const hot = await fx.deck.query(`SELECT count(*) AS n FROM querylog_key_hot WHERE hour < $1`, [new Date(Date.UTC(END.getUTCFullYear(), END.getUTCMonth(), END.getUTCDate() + 1))]);
  assert.equal(Number(hot.rows[0].n), 0, "the closed day left the hot table");
  const left = await fx.deck.query(`SELECT count(*) AS n FROM querylog_key_hot_day WHERE day <= $1::date`, [END.toISOString().slice(0, 10)]);
  assert.equal(Number(left.rows[0].n), 0, "and its per-key totals with it");
  const totals = await dayTotals();
  assert.deepEqual(totals.kept, totals.summed);
  const after = await countRows(fx.stores, f);
  assert.deepEqual([after.kind, after.value], [before.kind, before.value]);
  assert.equal(await rolled(), await total());
});

test("a straggler stamped on a packed day is counted once, from the hot tables", async () => {
  const old = new Date(END.getTime() - 2 * 86_400_000);
  await insert(old, 3, "192.168.1.68");
  await rollupTick(fx.stores, { now: new Date(END.getTime() + 2 * 86_400_000) });
  const c = await countRows(fx.stores, parse({ client: "192.168.1.68" }).filter);
  assert.deepEqual([c.kind, c.value], ["rollup", 3]);
  const all = await countRows(fx.stores, parse({ to: new Date(END.getTime() + 2 * 86_400_000).toISOString() }).filter);
  assert.equal(all.value, await total());
});

test("a tick committing in the middle of a read is not counted twice: the read is taken again on a settled state", async () => {
  const at = new Date(Date.UTC(END.getUTCFullYear(), END.getUTCMonth(), END.getUTCDate() + 1, 2));
  const later = new Date(END.getTime() + 2 * 86_400_000);
  // a deck handle on which a rollup step commits right after the plan has read the watermark, before anything else
  let moved = 0;
  const deck = {
    query: async (text: string, values?: unknown[]) => {
      const r = await fx.deck.query(text, values);
      if (!moved && text.includes("watermark_at, (SELECT max(id)")) moved = (await rollupStep(fx.stores, { now: later })).rows;
      return r;
    },
  };
  const hooked: RollupStores = { ...fx.stores, deck };
  const f = parse({ client: "192.168.1.66", to: later.toISOString() }).filter;
  const truth = async () => Number((await fx.logs.query(`SELECT count(*) AS n FROM dns_logs WHERE client_ip = '192.168.1.66'`)).rows[0].n);

  // the race is real: read once, the rows the step moved are in the rollups and in the tail past the old watermark
  // (a client the dictionary already holds: a new one would not be looked up in the rollups at all)
  await insert(at, 25, "192.168.1.66");
  const once = await countRows(hooked, f);
  assert.equal(moved, 25, "the step committed mid-read");
  assert.equal(once.value, (await truth()) + 25, "the 25 new rows counted twice");

  moved = 0;
  await insert(new Date(at.getTime() + 60_000), 25, "192.168.1.66");
  const c = await settled(hooked, () => countRows(hooked, f));
  assert.equal(moved, 25);
  assert.deepEqual([c.settled, c.value.kind, c.value.value], [true, "rollup", await truth()]);

  moved = 0;
  await insert(new Date(at.getTime() + 120_000), 25, "192.168.1.66");
  const st = await settled(hooked, () => queryStats(hooked, f, { bucket: "1h" }));
  assert.equal(moved, 25);
  assert.equal(st.value.series.reduce((a, p) => a + p.total, 0), await truth());
  assert.equal(st.value.top.clients.find((e) => e.key === "192.168.1.66")?.count, await truth());
});

test("days packed before the per-value ranked lists existed get them from their packed rows, the same lists a pack writes", async () => {
  const days = (await fx.deck.query(`SELECT day::text AS day FROM querylog_days WHERE packed ORDER BY day`)).rows.map((r) => r.day);
  const lists = async () => (await fx.deck.query(`SELECT day::text AS day, kind, slice, encode(keys, 'hex') AS keys, rest FROM querylog_top_day WHERE slice <= -3000 ORDER BY 1, 2, 3`)).rows;
  const packed = await lists();
  assert.ok(packed.some((r) => r.slice === sliceRcode(3)) && packed.some((r) => r.slice === sliceQtype(28)), "NXDOMAIN and AAAA lists written by the pack");
  // as an older dnsdeck left them
  await fx.deck.query(`DELETE FROM querylog_top_day WHERE slice <= -3000`);
  await fx.deck.query(`UPDATE querylog_days SET top_slices = 0`);
  const done = await backfillValueLists(fx.stores, { budgetMs: 60_000 });
  assert.deepEqual(done, [...days].reverse(), "newest first, every packed day");
  assert.deepEqual(await lists(), packed);
  assert.equal(Number((await fx.deck.query(`SELECT count(*) AS n FROM querylog_days WHERE packed AND top_slices = 0`)).rows[0].n), 0);
  assert.deepEqual(await backfillValueLists(fx.stores), [], "nothing left to do");
  // the DELETE and UPDATE above stood in for an older dnsdeck: their dead rows are this test's, not the worker's (the
  // vacuum test below counts dead rows once the statistics are flushed, which may be after this test ends)
  await fx.deck.query(`VACUUM querylog_top_day, querylog_days`);
});

test("the class cube is the signature cube summed per instance, response type and rcode class (as the migration fills it)", async () => {
  const hc = Array.from({ length: 24 }, (_, i) => `h${String(i).padStart(2, "0")}`);
  const fromSigs = await fx.deck.query(
    `SELECT d.day::text AS day, s.server_id, s.response_type AS rt, CASE WHEN s.rcode IN (2, 3) THEN s.rcode ELSE 0 END AS cls, sum(d.n)::bigint AS n, ${hc.map((h) => `sum(d.${h})::int AS ${h}`).join(", ")}
       FROM querylog_sig_day d JOIN querylog_sigs s ON s.id = d.sig GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4`,
  );
  const cube = await fx.deck.query(`SELECT day::text AS day, server_id, rt, cls, n, ${hc.join(", ")} FROM querylog_class_day ORDER BY 1, 2, 3, 4`);
  assert.ok(cube.rows.length > 0);
  assert.deepEqual(cube.rows, fromSigs.rows);
});

test("dnsdeck vacuums its own tables: no dead rows left behind after a tick that closed a day", async () => {
  const { rows } = await fx.deck.query(`SELECT relname, n_dead_tup FROM pg_stat_user_tables WHERE relname = ANY($1::text[])`, [VACUUMED]);
  assert.equal(rows.length, VACUUMED.length);
  for (const r of rows) assert.ok(Number(r.n_dead_tup) <= 50, `${r.relname}: ${r.n_dead_tup} dead rows`);
});

test("retention deletes under the rollups: history kept, nothing counted twice, row counts clipped and said so", async () => {
  const before = await rolled();
  await fx.logs.query(`DELETE FROM dns_logs WHERE dlid IN (SELECT dlid FROM dns_logs ORDER BY dlid LIMIT 5000)`);
  const step = await rollupStep(fx.stores, { now: new Date(END.getTime() + 2 * 86_400_000) });
  assert.equal(step.rows, 0);
  assert.equal(await rolled(), before, "history kept, nothing re-counted");
  const f = parse({ from: new Date(END.getTime() - 10 * 86_400_000).toISOString(), to: new Date(END.getTime() + 2 * 86_400_000).toISOString() }).filter;
  const c = await countRows(fx.stores, f);
  assert.equal(c.kind, "rollup");
  assert.equal(c.value, await total());
});
