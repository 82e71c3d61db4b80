// Shared set-up for the query-log tests: two fresh databases on the real PostgreSQL (Technitium's dns_logs filled by
// the twin's generator, dnsdeck's own with its migrations), rolled up, and helpers that compute the truth with
// hand-written SQL. The rolled-up data covers closed days packed by the catch-up and an open day in the hot tables.
import pg from "pg";
import { freshDatabase, type TestDatabase } from "@/server/testing/db";
import { generateQueryLogs } from "@/twin/querylogs/generate";
import type { RollupStores } from "../rollup";
import { rollupCatchUp } from "../rollup";
import { listSchema } from "../schemas";

export const END = new Date(Date.UTC(2026, 10, 20, 12, 0, 0));
export const DAYS = 3;
/** The catch-up runs as if it were an hour after the newest row: earlier days are closed, END's day is open. */
export const NOW = new Date(END.getTime() + 3600_000);

export interface Fixture {
  logsDb: TestDatabase;
  deckDb: TestDatabase;
  logs: pg.Pool;
  deck: pg.Pool;
  stores: RollupStores;
  close(): Promise<void>;
}

export async function fixture(opts: { perDay?: number; seed?: number } = {}): Promise<Fixture> {
  const [logsDb, deckDb] = await Promise.all([freshDatabase({ prefix: "ql_logs", migrated: false }), freshDatabase({ prefix: "ql_deck" })]);
  await generateQueryLogs({ databaseUrl: logsDb.url, days: DAYS, perDay: opts.perDay ?? 8000, endAt: END, seed: opts.seed ?? 7, parallel: 1 });
  const logs = new pg.Pool({ connectionString: logsDb.url, max: 6 });
  const deck = new pg.Pool({ connectionString: deckDb.url, max: 4 });
  logs.on("error", () => {});
  deck.on("error", () => {});
  // a device that only ever asks the primary (its resolver set by hand): behind the load balancer every other client
  // reaches all three instances, so this is the one empty client × instance intersection the tests can ask for. All
  // on END's (open) day, so they are not stragglers on a closed day (the rollup tests count those separately).
  await logs.query(
    `INSERT INTO dns_logs (server, timestamp, client_ip, protocol, response_type, response_rtt, rcode, qname, qtype, qclass, answer)
     SELECT 'technitium', $1::timestamptz - make_interval(mins => g * 10), '192.168.1.251', 0, 1, NULL, 0, 'idrac.viktorbarzin.lan', 1, 1, 'A 192.168.1.4'
     FROM generate_series(1, 40) g`,
    [END],
  );
  const stores: RollupStores = { logs, deck, deckConnect: () => deck.connect() };
  await rollupCatchUp(stores, { now: NOW });
  return {
    logsDb,
    deckDb,
    logs,
    deck,
    stores,
    async close() {
      await logs.end();
      await deck.end();
      await Promise.all([logsDb.drop(), deckDb.drop()]);
    },
  };
}

/** Parse query-string input exactly as the API does (whole data set by default); fails on a validation error. */
export function parse(params: Record<string, string>) {
  const r = listSchema.safeParse({ from: new Date(END.getTime() - DAYS * 86_400_000 - 60_000).toISOString(), to: new Date(END.getTime() + 60_000).toISOString(), ...params });
  if (!r.success) throw new Error(JSON.stringify(r.error.issues));
  return r.data;
}

/** A filter case: API parameters and the same filter as hand-written SQL over dns_logs (plus the time range). */
export type Case = [Record<string, string>, string, unknown[]];

/** `where` with the parse() default time range, as SQL over dns_logs with $n placeholders after `values`. */
export function truthWhere(params: Record<string, string>, where: string, values: unknown[]): { sql: string; values: unknown[] } {
  const f = parse(params).filter;
  const n = values.length;
  return { sql: `(${where}) AND timestamp >= $${n + 1} AND timestamp < $${n + 2}`, values: [...values, f.from, f.to] };
}
