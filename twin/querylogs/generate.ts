/**
 * Query-log generator: fills Technitium's `dns_logs` table (Query Logs (PostgreSQL) app) exactly as the app creates
 * and writes it — same DDL, same 14 index names plus the primary key, same encodings (enum numbers, lower-cased
 * qname without trailing dot, answer text `A 1.2.3.4, CNAME x.y.` with the [TRUNCATED] / [ZONE TRANSFER] markers,
 * response_rtt only for Recursive, NULL question rows).
 *
 * Speed: rows are generated inside PostgreSQL (`INSERT … SELECT … FROM generate_series`) from a small catalogue
 * shipped as arrays, on two connections at once, with the indexes dropped for the load and rebuilt afterwards
 * (only when the load is larger than what the table already holds). 27M rows take a few minutes on 2 cores.
 *
 * CLI: tsx twin/querylogs/generate.ts --database-url postgresql://… --days 3 --per-day 300000 [--seed 1] [--live 20]
 * Single-connection servers (PGlite behind pglite-socket): pass `parallel: 1` (then only one connection is ever open).
 */
import pg from "pg";
import { buildCatalog, CATEGORY_SHARES, SERVERS, sourceGroup, SPLIT_BY_SERVER } from "./catalog";

export const DNS_LOGS_DDL = `create table if not exists dns_logs (
  dlid          serial primary key,
  server        varchar(255),
  timestamp     timestamp with time zone not null,
  client_ip     varchar(39) not null,
  protocol      smallint not null,
  response_type smallint not null,
  response_rtt  real,
  rcode         smallint not null,
  qname         varchar(255),
  qtype         integer,
  qclass        smallint,
  answer        varchar(4000)
)`;

/** Technitium's index names and columns, in the order the app creates them. */
export const DNS_LOGS_INDEXES: [string, string][] = [
  ["index_server", "server"],
  ["index_timestamp", "timestamp"],
  ["index_client_ip", "client_ip"],
  ["index_protocol", "protocol"],
  ["index_response_type", "response_type"],
  ["index_rcode", "rcode"],
  ["index_qname", "qname"],
  ["index_qtype", "qtype"],
  ["index_qclass", "qclass"],
  ["index_timestamp_client_ip", "timestamp, client_ip"],
  ["index_timestamp_qname", "timestamp, qname"],
  ["index_client_qname", "client_ip, qname"],
  ["index_query", "qname, qtype"],
  ["index_all", "server, timestamp, client_ip, protocol, response_type, rcode, qname, qtype, qclass"],
];

export interface GenerateOptions {
  databaseUrl: string;
  days: number;
  perDay: number;
  endAt?: Date;
  seed?: number;
  servers?: string[];
  /** Parallel connections for the load and the index builds (default 2). */
  parallel?: number;
  log?: (line: string) => void;
}

/** Create the table and its indexes the way the app does (create-if-not-exists; "already exists" swallowed). */
export async function ensureDnsLogsTable(client: pg.ClientBase): Promise<void> {
  await client.query(DNS_LOGS_DDL);
  for (const [name, cols] of DNS_LOGS_INDEXES) {
    try {
      await client.query(`CREATE INDEX ${name} ON dns_logs (${cols})`);
    } catch (err) {
      if ((err as { code?: string }).code !== "42P07") throw err; // duplicate_table = index exists
    }
  }
}

async function connect(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  return c;
}

/** Load the catalogue into session temp tables used by ROW_SQL. */
async function loadCatalog(client: pg.ClientBase, seed: number): Promise<{ counts: number[]; clientCounts: number[] }> {
  const cat = buildCatalog(seed);
  await client.query(`CREATE TEMP TABLE IF NOT EXISTS gen_keys (cat int, rank int, qname text, qtype int, qclass smallint, rt smallint,
    rcode smallint, answer text, proto smallint, split boolean, src int, PRIMARY KEY (cat, rank))`);
  await client.query(`CREATE TEMP TABLE IF NOT EXISTS gen_clients (grp int, rank int, ip text, PRIMARY KEY (grp, rank))`);
  await client.query(`TRUNCATE gen_keys, gen_clients`);
  const k = cat.keys;
  await client.query(
    `INSERT INTO gen_keys SELECT * FROM unnest($1::int[], $2::int[], $3::text[], $4::int[], $5::smallint[], $6::smallint[], $7::smallint[],
      $8::text[], $9::smallint[], $10::boolean[], $11::int[])`,
    [
      k.map((x) => x.cat), k.map((x) => x.rank), k.map((x) => x.qname), k.map((x) => x.qtype), k.map((x) => x.qclass), k.map((x) => x.rt),
      k.map((x) => x.rcode), k.map((x) => x.answer), k.map((x) => x.proto), k.map((x) => x.split), k.map((x) => x.src),
    ],
  );
  await client.query(`INSERT INTO gen_clients SELECT * FROM unnest($1::int[], $2::int[], $3::text[])`, [
    cat.clients.map((c) => c.grp), cat.clients.map((c) => c.rank), cat.clients.map((c) => c.ip),
  ]);
  await client.query("ANALYZE gen_keys; ANALYZE gen_clients");
  return { counts: cat.counts, clientCounts: cat.clientCounts };
}

/**
 * One INSERT generating rows i ∈ [$1, $2) of the run. Row i belongs to day floor(i/perDay); inside the day its time
 * follows a diurnal curve (density ~4× higher at the evening peak than at night). dlid = $3 + i + 1 follows time, each
 * row up to 2 s older than its insert. The instance is drawn per row by weight — behind the LoadBalancer consecutive
 * queries land on different instances, so the three interleave in time. The client is drawn from the group the key's
 * source mix gives (catalog.ts: LAN devices, CoreDNS pods / node IPs, node IPs, pfSense, replica pods); a LAN client
 * asking a Split Horizon name gets that instance's answer (SPLIT_BY_SERVER). Parameters:
 * $1 lo, $2 hi, $3 dlid offset, $4 start, $5 perDay, $6 servers[], $7 server weights (cumulative %), $8 category
 * counts[], $9 client counts per group[], $10 seed (setseed ran first; typed here only), $11 diurnal phase,
 * $12 category cumulative shares[], $13 split behaviour per server position[].
 */
const ROW_SELECT = `
SELECT r.dlid, r.server, r.ts AS timestamp, c.ip AS client_ip,
  coalesce(k.proto, r.proto) AS protocol,
  CASE WHEN k.rt IS NOT NULL THEN k.rt WHEN r.recursive THEN 2 ELSE 3 END AS response_type,
  CASE WHEN k.rt IS NULL AND r.recursive THEN r.rtt END AS response_rtt,
  CASE WHEN k.rt IS NULL AND r.recursive AND r.u_fail < 0.015 THEN 2 ELSE k.rcode END AS rcode,
  k.qname, k.qtype, k.qclass,
  CASE WHEN k.rt IS NULL AND r.recursive AND r.u_fail < 0.015 THEN NULL
       WHEN k.split AND c.ip LIKE '192.168.1.%' THEN
         CASE ($13::text[])[r.sidx] WHEN 'translate' THEN replace(k.answer, '176.12.22.76', '10.0.20.200') WHEN 'strip' THEN NULL ELSE k.answer END
       ELSE k.answer END AS answer
FROM (
  SELECT s.dlid, s.ts, s.cat, s.recursive, s.u_fail, s.rtt, s.proto, s.u_src, s.u_c, s.sidx,
    ($6::text[])[s.sidx] AS server,
    least(($8::int[])[s.cat + 1], floor(exp(s.u_rank * ln(($8::int[])[s.cat + 1] + 1)))::int) AS krank
  FROM (
    SELECT s0.*,
      CASE WHEN s0.h < ($7::int[])[1] THEN 1 WHEN s0.h < ($7::int[])[2] THEN 2 ELSE 3 END AS sidx,
      CASE WHEN s0.u_cat < ($12::float8[])[1] THEN 0 WHEN s0.u_cat < ($12::float8[])[2] THEN 1 WHEN s0.u_cat < ($12::float8[])[3] THEN 2
           WHEN s0.u_cat < ($12::float8[])[4] THEN 3 WHEN s0.u_cat < ($12::float8[])[5] THEN 4 ELSE 5 END AS cat
    FROM (
      SELECT $3::bigint + g.i + 1 AS dlid,
        random() * 100 AS h,
        $4::timestamptz + make_interval(secs => (
          (g.i / $5::bigint)::float8
          + ((g.i % $5::bigint) + 0.5) / $5::float8
          + 0.1 * (sin(2 * pi() * (((g.i % $5::bigint) + 0.5) / $5::float8 + $11::float8)) - sin(2 * pi() * $11::float8))
        ) * 86400 - random() * 2) AS ts,
        random() AS u_cat, random() AS u_rank, random() AS u_src, random() AS u_c,
        random() < 0.28 AS recursive, random() AS u_fail,
        (exp(2.9 + 1.1 * (random() + random() + random() - 1.5)) * CASE WHEN random() < 0.02 THEN 12 ELSE 1 END)::real AS rtt,
        CASE WHEN random() < 0.93 THEN 0 WHEN random() < 0.6 THEN 1 WHEN random() < 0.7 THEN 3 ELSE 2 END::smallint AS proto
      FROM generate_series($1::bigint, $2::bigint - 1) AS g(i)
      WHERE $10::int IS NOT NULL
    ) s0
  ) s
) r
JOIN gen_keys k ON k.cat = r.cat AND k.rank = r.krank
CROSS JOIN LATERAL (SELECT CASE k.src WHEN 1 THEN CASE WHEN r.u_src < 0.45 THEN 1 WHEN r.u_src < 0.75 THEN 0 ELSE 3 END
                                      WHEN 2 THEN 2 WHEN 3 THEN 4 ELSE 0 END AS grp) sg
JOIN gen_clients c ON c.grp = sg.grp AND c.rank = least(($9::int[])[sg.grp + 1], floor(exp(r.u_c * ln(($9::int[])[sg.grp + 1] + 1)))::int)`;

const COLUMNS = "server, timestamp, client_ip, protocol, response_type, response_rtt, rcode, qname, qtype, qclass, answer";
const ROW_SQL = `INSERT INTO dns_logs (dlid, ${COLUMNS}) ${ROW_SELECT}`;

function cumulative(xs: readonly number[]): number[] {
  let s = 0;
  return xs.map((x) => (s += x));
}

/** Evening peak around 19:00 UTC: the phase that puts the density maximum there given the start's time of day. */
function diurnalPhase(start: Date): number {
  const tod = (start.getUTCHours() * 3600 + start.getUTCMinutes() * 60 + start.getUTCSeconds()) / 86400;
  return (((0.5 - (19 / 24 - tod)) % 1) + 1) % 1;
}

/** Fill dns_logs with `days × perDay` rows ending at `endAt`. Returns rows written and seconds taken. */
export async function generateQueryLogs(opts: GenerateOptions): Promise<{ rows: number; seconds: number }> {
  const started = performance.now();
  const log = opts.log ?? (() => {});
  const servers = opts.servers ?? [...SERVERS];
  const seed = opts.seed ?? 1;
  const endAt = opts.endAt ?? new Date();
  const total = Math.round(opts.days * opts.perDay);
  const parallel = Math.max(1, opts.parallel ?? 2);
  const start = new Date(endAt.getTime() - opts.days * 86_400_000);
  if (total <= 0) return { rows: 0, seconds: 0 };

  const main = await connect(opts.databaseUrl);
  let rebuild = false;
  let offset = 0;
  try {
    await ensureDnsLogsTable(main);
    const { rows } = await main.query<{ n: string; max: string | null }>(
      `SELECT (SELECT reltuples::bigint FROM pg_class WHERE oid = 'dns_logs'::regclass) AS n, (SELECT max(dlid) FROM dns_logs) AS max`,
    );
    const seq = await main.query<{ last_value: string; is_called: boolean }>(`SELECT last_value, is_called FROM dns_logs_dlid_seq`);
    offset = Math.max(Number(rows[0].max ?? 0), seq.rows[0].is_called ? Number(seq.rows[0].last_value) : 0);
    const existing = Math.max(0, Number(rows[0].n));
    rebuild = total > 50_000 && total > existing;
    if (rebuild) {
      log(`dropping indexes for the bulk load (${existing} rows present, ${total} to add)`);
      for (const [name] of DNS_LOGS_INDEXES) await main.query(`DROP INDEX IF EXISTS ${name}`);
      await main.query(`ALTER TABLE dns_logs DROP CONSTRAINT IF EXISTS dns_logs_pkey`);
    }
  } catch (err) {
    await main.end();
    throw err;
  }

  // Two loaders, each taking whole chunks (≤ 1 day or 500k rows) from a shared cursor.
  const serverCum = cumulative(servers.length === 3 ? [50, 30, 20] : servers.map(() => 100 / servers.length)).map(Math.round);
  while (serverCum.length < 3) serverCum.push(100);
  const serverArr = [...servers, ...servers, ...servers].slice(0, 3);
  const phase = diurnalPhase(start);
  const chunk = Math.min(opts.perDay, 500_000);
  let next = 0;
  let done = 0;
  const worker = async (w: number) => {
    const c = w === 0 ? main : await connect(opts.databaseUrl);
    try {
      await c.query("SET synchronous_commit = off");
      await c.query(`SELECT setseed($1)`, [(((seed * 7919 + w * 104729) % 2000) - 1000) / 1000]);
      const { counts, clientCounts } = await loadCatalog(c, seed);
      const shares = cumulative(CATEGORY_SHARES);
      for (;;) {
        const lo = next;
        if (lo >= total) break;
        const hi = Math.min(total, lo + chunk);
        next = hi;
        await c.query(ROW_SQL, [lo, hi, offset, start.toISOString(), opts.perDay, serverArr, serverCum, counts, clientCounts, seed, phase, shares, [...SPLIT_BY_SERVER]]);
        done += hi - lo;
        log(`loaded ${done.toLocaleString("en")} / ${total.toLocaleString("en")} rows (${((performance.now() - started) / 1000).toFixed(0)} s)`);
      }
    } finally {
      if (w !== 0) await c.end();
    }
  };
  try {
    await Promise.all(Array.from({ length: parallel }, (_, w) => worker(w)));
    await main.query(`SELECT setval('dns_logs_dlid_seq', $1)`, [offset + total]);
    if (rebuild) await rebuildIndexes(opts.databaseUrl, parallel, log, started, main);
    await main.query("ANALYZE dns_logs");
  } finally {
    await main.end();
  }
  const seconds = (performance.now() - started) / 1000;
  log(`done: ${total.toLocaleString("en")} rows in ${seconds.toFixed(1)} s`);
  return { rows: total, seconds };
}

async function rebuildIndexes(url: string, parallel: number, log: (l: string) => void, started: number, main: pg.Client): Promise<void> {
  const jobs: string[] = [
    "ALTER TABLE dns_logs ADD CONSTRAINT dns_logs_pkey PRIMARY KEY (dlid)",
    ...DNS_LOGS_INDEXES.map(([name, cols]) => `CREATE INDEX IF NOT EXISTS ${name} ON dns_logs (${cols})`),
  ];
  // Biggest first so the two builders finish together.
  const order = [jobs[0], jobs[14], jobs[10], jobs[11], jobs[12], jobs[13], jobs[7], jobs[3], jobs[2], jobs[1], jobs[4], jobs[5], jobs[6], jobs[8], jobs[9]];
  let i = 0;
  // With parallel = 1 everything runs on the one connection (single-connection servers such as pglite-socket).
  const builder = async (b: number) => {
    const c = parallel === 1 || b === 0 ? main : await connect(url);
    try {
      await c.query("SET maintenance_work_mem = '512MB'");
      await c.query("SET max_parallel_maintenance_workers = 0");
      for (;;) {
        const sql = order[i++];
        if (!sql) break;
        await c.query(sql);
        log(`${sql.replace(/ ON dns_logs.*| PRIMARY KEY.*/, "")} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
      }
    } finally {
      if (c !== main) await c.end();
    }
  };
  await Promise.all(Array.from({ length: parallel }, (_, b) => builder(b)));
}

/**
 * Live mode for the demo: every second each server writes a batch, `perSecond` rows in all, timestamped now, through
 * the sequence (as the app does). Returns a handle to stop it.
 */
export async function appendLive(opts: { databaseUrl: string; perSecond: number; seed?: number; servers?: string[]; log?: (l: string) => void }): Promise<{ stop(): Promise<void> }> {
  const servers = opts.servers ?? [...SERVERS];
  // Rows are drawn in JS from the same catalogue and written as one parameterised multi-row INSERT per instance per
  // second (as the app's writer does). The connection is released between ticks, so a single-connection server
  // (PGlite behind pglite-socket) stays usable by everyone else.
  const pool = new pg.Pool({ connectionString: opts.databaseUrl, max: 1, idleTimeoutMillis: 200 });
  pool.on("error", () => {});
  const c0 = await pool.connect();
  try {
    await ensureDnsLogsTable(c0);
  } finally {
    c0.release();
  }
  const cat = buildCatalog(opts.seed ?? 1);
  const byCat = new Map<string, (typeof cat.keys)[number]>(cat.keys.map((k) => [`${k.cat}|${k.rank}`, k]));
  const byClient = new Map(cat.clients.map((x) => [`${x.grp}|${x.rank}`, x.ip]));
  const shares = cumulative(CATEGORY_SHARES);
  const zipf = (n: number) => Math.min(n, Math.floor(Math.exp(Math.random() * Math.log(n + 1))));
  const row = (server: string, at: number): unknown[] => {
    const u = Math.random();
    const catIdx = shares.findIndex((x) => u < x);
    const catN = catIdx < 0 ? shares.length - 1 : catIdx;
    const k = byCat.get(`${catN}|${zipf(cat.counts[catN])}`)!;
    const grp = sourceGroup(k.src, Math.random());
    const ip = byClient.get(`${grp}|${zipf(cat.clientCounts[grp])}`)!;
    const split = SPLIT_BY_SERVER[Math.max(0, servers.indexOf(server)) % SPLIT_BY_SERVER.length];
    const recursive = k.rt === null && Math.random() < 0.28;
    const fail = recursive && Math.random() < 0.015;
    const rt = k.rt ?? (recursive ? 2 : 3);
    const rtt = recursive ? Math.exp(2.9 + 1.1 * (Math.random() + Math.random() + Math.random() - 1.5)) : null;
    const proto = k.proto ?? (Math.random() < 0.93 ? 0 : Math.random() < 0.6 ? 1 : Math.random() < 0.7 ? 3 : 2);
    const lanSplit = k.split && ip.startsWith("192.168.1.") && k.answer;
    const answer = fail ? null : lanSplit ? (split === "translate" ? k.answer!.replace("176.12.22.76", "10.0.20.200") : split === "strip" ? null : k.answer) : k.answer;
    return [server, new Date(at - Math.random() * 1000).toISOString(), ip, proto, rt, rtt, fail ? 2 : k.rcode, k.qname, k.qtype, k.qclass, answer];
  };
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  const tick = async () => {
    const n = Math.max(1, Math.round(opts.perSecond));
    const now = Date.now();
    // each query goes to one instance by weight (the LoadBalancer), each instance writes its own batch
    const weights = servers.length === 3 ? [50, 30, 20] : servers.map(() => 100 / servers.length);
    const pick = () => {
      let u = Math.random() * weights.reduce((a, b) => a + b, 0);
      return servers.find((_, i) => (u -= weights[i]) < 0) ?? servers[servers.length - 1];
    };
    const drawn = Array.from({ length: n }, pick);
    for (const server of servers) {
      const share = drawn.filter((s) => s === server).length;
      if (!share) continue;
      const rows = Array.from({ length: share }, () => row(server, now)).sort((a, b) => String(a[1]).localeCompare(String(b[1])));
      const values = rows.flat();
      const tuples = rows.map((_, i) => `(${Array.from({ length: 11 }, (_, j) => `$${i * 11 + j + 1}`).join(", ")})`).join(", ");
      await pool.query(`INSERT INTO dns_logs (${COLUMNS}) VALUES ${tuples}`, values);
    }
  };
  const timer = setInterval(() => {
    if (stopped) return;
    running = running.then(tick).catch((err) => opts.log?.(`live append failed: ${(err as Error).message}`));
  }, 1000);
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
      await pool.end();
    },
  };
}

function argv(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] && /generate\.ts$/.test(process.argv[1])) {
  const databaseUrl = argv("database-url") ?? process.env.QUERYLOG_DATABASE_URL;
  if (!databaseUrl) {
    console.error("usage: tsx twin/querylogs/generate.ts --database-url postgresql://… --days N --per-day M [--seed S] [--live PER_SECOND]");
    process.exit(2);
  }
  const days = Number(argv("days") ?? 3);
  const perDay = Number(argv("per-day") ?? 300_000);
  const live = argv("live");
  generateQueryLogs({ databaseUrl, days, perDay, seed: Number(argv("seed") ?? 1), log: (l) => console.log(l) })
    .then(async (r) => {
      console.log(JSON.stringify(r));
      if (live) {
        console.log(`appending ${live} rows/s; Ctrl-C to stop`);
        const h = await appendLive({ databaseUrl, perSecond: Number(live), log: console.error });
        process.on("SIGINT", () => void h.stop().then(() => process.exit(0)));
      }
    })
    .catch((err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    });
}
