import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { CAUSES, classify } from "@/k8s/causes";
import { CLIENT_KINDS, identify } from "@/k8s/clients";
import { backfillCauses, CAUSE_VERSION, daysToBackfill, type KindsOf, readCauseCounts } from "../rollup-causes";
import { rollupTick } from "../rollup";
import { DAYS, END, type Fixture, fixture, NOW } from "./fixture";

// Failed answers by cause and client kind from the rollups (issue 12), compared with dns_logs grouped by hand and
// classified by the same rules: whole range, odd edges with an instance filter, rows past the watermark, and the
// back-fill of days built before causes existed or by older rules.
const HOUR = 3_600_000;
/** A CoreDNS pod's address that another pod took over a day before END: the kind depends on the hour asked. */
const REUSED = "10.0.20.9";
const SWAP = new Date(END.getTime() - 24 * HOUR);
const kindAt = (ip: string, at: Date) =>
  ip === REUSED ? (at < SWAP ? "coredns-pod" : "pod") : identify(ip, at, { intervals: [] }).kind;
const kindsOf: KindsOf = async (items) => items.map((i) => kindAt(i.ip, i.at));

let fx: Fixture;
before(async () => {
  fx = await fixture({ perDay: 6000, seed: 11 });
  fx.stores.kindsOf = kindsOf;
  // the fixture rolled up without a directory: rebuild every day's causes with one (the back-fill path)
  await fx.deck.query(`UPDATE querylog_cause_days SET version = 0`);
  await backfillCauses(fx.stores, { budgetMs: 60_000 });
  // the reused address asks before and after the swap
  await fx.logs.query(
    `INSERT INTO dns_logs (server, timestamp, client_ip, protocol, response_type, response_rtt, rcode, qname, qtype, qclass, answer)
     SELECT 'technitium', $1::timestamptz + make_interval(mins => i * 7), $2, 0, 2, NULL, 3, 'db' || (i % 4) || '.svc.cluster.local.viktorbarzin.lan', 1, 1, NULL
       FROM generate_series(-200, 200) i`,
    [SWAP, REUSED],
  );
  await rollupTick(fx.stores, { now: NOW, budgetMs: 30_000 });
});
after(() => fx?.close());

const FROM = new Date(END.getTime() - DAYS * 86_400_000 - 60_000);
const TO = new Date(END.getTime() + 60_000);

/** The truth: failed rows in [from, to) per cause and per client, by hand-written SQL and classify(). */
async function truth(from: Date, to: Date, server?: string) {
  const { rows } = await fx.logs.query(
    `SELECT qname, client_ip, rcode, response_type, qtype, floor(date_part('epoch', timestamp) / 3600)::int AS hn, count(*)::int AS n FROM dns_logs
      WHERE timestamp >= $1 AND timestamp < $2 AND qname IS NOT NULL AND (rcode IN (2, 3) OR response_type IN (4, 5, 6)) ${server ? "AND server = $3" : ""}
      GROUP BY 1, 2, 3, 4, 5, 6`,
    server ? [from, to, server] : [from, to],
  );
  const total = CAUSES.map(() => 0);
  const perKind = new Map<string, number>();
  for (const r of rows) {
    const c = classify({ name: r.qname, rcode: r.rcode, responseType: r.response_type, qtype: r.qtype });
    assert.ok(c, `${r.qname} rcode ${r.rcode} rt ${r.response_type} is a failure`);
    total[CAUSES.indexOf(c.cause)] += r.n;
    const k = `${kindAt(r.client_ip, new Date(r.hn * HOUR + HOUR / 2))}|${c.cause}`;
    perKind.set(k, (perKind.get(k) ?? 0) + r.n);
  }
  return { total, perKind };
}

async function counts(from: Date, to: Date, server?: string) {
  const ids = server ? (await fx.deck.query(`SELECT id FROM querylog_servers WHERE name = $1`, [server])).rows.map((r) => r.id) : null;
  const c = await readCauseCounts(fx.stores, { from, to, serverIds: ids, serverNames: server ? [server] : null, kindsOf });
  const perKind = new Map<string, number>();
  c.kinds.forEach((row, ki) => row.forEach((n, ci) => n && perKind.set(`${CLIENT_KINDS[ki]}|${CAUSES[ci]}`, n)));
  let hours = 0;
  for (const v of c.hours.values()) hours += v.reduce((a, b) => a + b, 0);
  return { ...c, perKind, hours };
}

const byCause = (t: number[]) => Object.fromEntries(CAUSES.map((c, i) => [c, t[i]]).filter(([, n]) => n));

test("every failed answer of the range is counted under its cause, exactly as SQL and the rules say", async () => {
  const [want, got] = await Promise.all([truth(FROM, TO), counts(FROM, TO)]);
  const sum = want.total.reduce((a, b) => a + b, 0);
  assert.ok(sum > 500, `the twin's data has failures to classify (${sum})`);
  // the homelab's usual causes are all there: the ndots junk, the corporate flood, blocking, SERVFAIL
  for (const c of ["search-expansion", "blocked"] as const) assert.ok(want.total[CAUSES.indexOf(c)] > 0, `${c} present in the data`);
  assert.deepEqual(byCause(got.total), byCause(want.total));
  assert.equal(got.hours, sum, "the series adds up to the same total");
  assert.deepEqual(Object.fromEntries([...got.perKind].sort()), Object.fromEntries([...want.perKind].sort()), "per client kind and cause");
  // the reused address counted as a CoreDNS pod before the swap and as another pod after it
  assert.ok((got.perKind.get("coredns-pod|search-expansion") ?? 0) > 0 && (got.perKind.get("pod|search-expansion") ?? 0) > 0);
  assert.equal(got.staleDays, 0);
  assert.equal(got.behind, false);
});

test("a range with odd edges and one instance: partial hours read raw, whole hours from the rollups", async () => {
  const server = (await fx.logs.query(`SELECT server FROM dns_logs GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`)).rows[0].server as string;
  const from = new Date(END.getTime() - 30 * HOUR - 17 * 60_000 - 3_000);
  const to = new Date(END.getTime() - 2 * HOUR - 7 * 60_000);
  const [want, got] = await Promise.all([truth(from, to, server), counts(from, to, server)]);
  assert.deepEqual(byCause(got.total), byCause(want.total));
  assert.deepEqual(Object.fromEntries([...got.perKind].sort()), Object.fromEntries([...want.perKind].sort()));
  // inside one hour: everything raw
  const inHour = [new Date(END.getTime() - 5 * HOUR + 60_000), new Date(END.getTime() - 5 * HOUR + 40 * 60_000)] as const;
  assert.deepEqual(byCause((await counts(...inHour)).total), byCause((await truth(...inHour)).total));
});

test("rows past the rollup's watermark are counted too (read raw until the next tick)", async () => {
  const before = await counts(FROM, new Date(END.getTime() + 10 * 60_000));
  await fx.logs.query(
    `INSERT INTO dns_logs (server, timestamp, client_ip, protocol, response_type, response_rtt, rcode, qname, qtype, qclass, answer)
     SELECT 'technitium', $1::timestamptz + (i || ' ms')::interval, '10.0.20.9', 0, 2, NULL, 3, 'grafana.monitoring.svc.cluster.local.viktorbarzin.lan', 1, 1, NULL
       FROM generate_series(1, 25) i`,
    [new Date(END.getTime() + 120_000)],
  );
  const after = await counts(FROM, new Date(END.getTime() + 10 * 60_000));
  const se = CAUSES.indexOf("search-expansion");
  assert.equal(after.total[se] - before.total[se], 25);
  assert.equal(after.perKind.get("pod|search-expansion"), (before.perKind.get("pod|search-expansion") ?? 0) + 25, "the reused address is another pod by now");
  // once rolled up they are counted once, not twice
  await rollupTick(fx.stores, { now: new Date(END.getTime() + 10 * 60_000), settleSeconds: 60 });
  assert.equal((await counts(FROM, new Date(END.getTime() + 10 * 60_000))).total[se], after.total[se]);
});

test("days rolled up before causes existed, or by older rules, are back-filled to the same counts", async () => {
  const to = new Date(END.getTime() + 10 * 60_000);
  const want = await counts(FROM, to);
  // as if this dnsdeck had rolled up before the cause tables existed: no cause rows, no ledger
  await fx.deck.query(`DELETE FROM querylog_cause_day; DELETE FROM querylog_cause_days`);
  const pending = await daysToBackfill(fx.deck);
  assert.equal(pending.length, DAYS + 1, "every rolled day waits for its causes");
  const gone = await counts(FROM, to);
  assert.ok(gone.total.reduce((a, b) => a + b, 0) < want.total.reduce((a, b) => a + b, 0), "without the back-fill the counts are short");
  const done = await backfillCauses(fx.stores, { budgetMs: 60_000 });
  assert.equal(done.length, DAYS + 1, `back-filled ${done.join(", ")}`);
  assert.deepEqual(done, [...done].sort().reverse(), "newest day first");
  const back = await counts(FROM, to);
  assert.deepEqual(byCause(back.total), byCause(want.total));
  assert.deepEqual(Object.fromEntries([...back.perKind].sort()), Object.fromEntries([...want.perKind].sort()));
  // a rule change: days built by version 0 are rebuilt, the counts stay right
  await fx.deck.query(`UPDATE querylog_cause_days SET version = 0 WHERE day = (SELECT max(day) FROM querylog_cause_days)`);
  assert.equal((await counts(FROM, to)).staleDays, 1, "the page says one day was built by older rules");
  const rebuilt = await backfillCauses(fx.stores, { budgetMs: 60_000 });
  assert.equal(rebuilt.length, 1);
  const v = await fx.deck.query(`SELECT DISTINCT version FROM querylog_cause_days`);
  assert.deepEqual(v.rows.map((r) => r.version), [CAUSE_VERSION]);
  assert.deepEqual(byCause((await counts(FROM, to)).total), byCause(back.total));
  assert.deepEqual(await daysToBackfill(fx.deck), []);
  // retention deleted the oldest day's first rows: that day is not rebuilt from a part, and the page says so
  const oldest = (await fx.deck.query(`SELECT min(day)::text AS d FROM querylog_cause_days`)).rows[0].d as string;
  await fx.logs.query(`DELETE FROM dns_logs WHERE dlid IN (SELECT dlid FROM dns_logs WHERE timestamp >= $1::date ORDER BY timestamp LIMIT 10)`, [oldest]);
  await fx.deck.query(`UPDATE querylog_cause_days SET version = 0 WHERE day = $1::date`, [oldest]);
  assert.deepEqual(await backfillCauses(fx.stores, { budgetMs: 60_000 }), []);
  assert.equal((await counts(FROM, to)).staleDays, 1);
  await fx.deck.query(`UPDATE querylog_cause_days SET version = $1 WHERE day = $2::date`, [CAUSE_VERSION, oldest]);
});

test("the worker's tick back-fills once caught up, within its budget", async () => {
  await fx.deck.query(`UPDATE querylog_cause_days SET version = 0`);
  const t = await rollupTick(fx.stores, { now: new Date(NOW.getTime() + 600_000), budgetMs: 30_000 });
  assert.ok(t.caughtUp);
  assert.ok(t.backfilled.length >= DAYS, `the tick rebuilt ${t.backfilled.join(", ")}`);
});
