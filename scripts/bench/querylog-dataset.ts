/**
 * The query-log benchmark's own data set: Technitium's exact dns_logs table and indexes (from the twin), filled with a
 * distribution deliberately unlike the twin's generator, so the benchmark does not flatter code tuned to the twin:
 *
 *   - 3 instances named technitium-primary / -secondary / -tertiary; every client has a home instance and a third of
 *     the clients never use another one (so "client X on an instance it never used" has a true answer: nothing);
 *   - 1,600 clients with a 1/rank popularity (LAN hosts, servers, pods, a few IPv6 hosts);
 *   - names: a Zipf head of 4,000 names (A/AAAA/HTTPS/SRV …), a mid pool of 120,000 names, a long tail of one-off
 *     telemetry names (a fresh name for most of them), PTR lookups of LAN addresses, search-suffix junk (NXDOMAIN) and
 *     ad/tracker names (Blocked / UpstreamBlocked);
 *   - rows written in batches, so dlid order is only roughly time order (timestamps jitter up to 3 s backwards).
 *
 * Rows are generated inside PostgreSQL (INSERT … SELECT over generate_series) on two connections, indexes dropped for
 * the load and rebuilt afterwards. Used by scripts/bench-querylogs.ts (`--data bench`, the default).
 */
import pg from "pg";
import { DNS_LOGS_INDEXES, ensureDnsLogsTable } from "@/twin/querylogs/generate";

export const BENCH_SERVERS = ["technitium-primary", "technitium-secondary", "technitium-tertiary"] as const;

const WORDS = ["api", "cdn", "edge", "img", "static", "auth", "login", "push", "sync", "media", "video", "mail", "data", "app", "store", "news", "maps", "docs", "chat", "live"];
const TLDS = ["com", "net", "org", "io", "de", "bg", "co.uk"];

function rng(seed: number): () => number {
  let a = seed >>> 0 || 1;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface HeadName {
  qname: string;
  qtype: number;
  rt: number | null; // null: Cached or Recursive drawn per row
  rcode: number;
  answer: string | null;
}

/** The head of the name distribution (rank 1 = most asked). */
function headNames(r: () => number): HeadName[] {
  const out: HeadName[] = [];
  const ip = () => `${[23, 34, 52, 104, 142, 151, 185][Math.floor(r() * 7)]}.${Math.floor(r() * 256)}.${Math.floor(r() * 256)}.${1 + Math.floor(r() * 250)}`;
  const seen = new Set<string>();
  while (out.length < 4000) {
    const k = out.length;
    let qname: string;
    if (k % 9 === 0) qname = `${WORDS[Math.floor(r() * WORDS.length)]}${Math.floor(r() * 60)}.home.viktorbarzin.lan`;
    else qname = `${WORDS[Math.floor(r() * WORDS.length)]}${r() < 0.5 ? "" : Math.floor(r() * 300)}.${WORDS[Math.floor(r() * WORDS.length)]}-${["svc", "net", "cloud", "hub"][Math.floor(r() * 4)]}.${TLDS[Math.floor(r() * TLDS.length)]}`;
    if (seen.has(qname)) continue;
    seen.add(qname);
    const internal = qname.endsWith(".lan");
    const a = internal ? `A 10.0.${20 + Math.floor(r() * 3)}.${1 + Math.floor(r() * 250)}` : `A ${ip()}`;
    out.push({ qname, qtype: 1, rt: internal ? 1 : null, rcode: 0, answer: a });
    if (r() < 0.7) out.push({ qname, qtype: 28, rt: internal ? 1 : null, rcode: 0, answer: internal ? null : `AAAA 2a00:${Math.floor(r() * 65535).toString(16)}::1` });
    if (!internal && r() < 0.2) out.push({ qname, qtype: 65, rt: null, rcode: 0, answer: "HTTPS 1 . alpn=h2" });
    if (internal && r() < 0.1) out.push({ qname: `_http._tcp.${qname}`, qtype: 33, rt: 1, rcode: 3, answer: null });
  }
  // shuffle everything but the first 40 so popular names are not all of one kind
  for (let i = out.length - 1; i > 40; i--) {
    const j = 40 + Math.floor(r() * (i - 39));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

interface Client {
  ip: string;
  home: number;
  single: boolean;
}

function clients(r: () => number): Client[] {
  const ips: string[] = [];
  for (let i = 1; i <= 40; i++) ips.push(`10.0.20.${i}`);
  for (let i = 10; i < 260; i++) ips.push(`192.168.1.${i % 254 || 254}`);
  for (let i = 0; i < 1280; i++) ips.push(`10.244.${i % 6}.${2 + Math.floor(i / 6)}`);
  for (let i = 0; i < 30; i++) ips.push(`fd00:20::${(i + 16).toString(16)}`);
  const uniq = [...new Set(ips)];
  for (let i = uniq.length - 1; i > 0; i--) {
    const j = Math.floor(r() * (i + 1));
    [uniq[i], uniq[j]] = [uniq[j], uniq[i]];
  }
  return uniq.map((ip, i) => ({ ip, home: i % 7 === 0 ? 1 : i % 11 === 0 ? 2 : 0, single: r() < 0.35 }));
}

const sqlArray = (xs: string[]) => `(ARRAY[${xs.map((x) => `'${x}'`).join(", ")}])`;

/**
 * Row i of the run ($1..$2). $3 dlid offset, $4 start, $5 per day, $6 servers[], $7 head count, $8 client count.
 * Category shares: 58 % head, 14 % mid pool, 6 % one-off names, 8 % PTR, 7 % junk (NXDOMAIN), 7 % blocked.
 */
const ROW_SQL = `
INSERT INTO dns_logs (dlid, server, timestamp, client_ip, protocol, response_type, response_rtt, rcode, qname, qtype, qclass, answer)
SELECT s.dlid,
  ($6::text[])[1 + CASE WHEN c.single OR s.u_srv < 0.82 THEN c.home ELSE (c.home + 1 + floor(s.u_srv2 * 2)::int) % 3 END],
  s.ts, c.ip,
  (CASE WHEN s.u_proto < 0.9 THEN 0 WHEN s.u_proto < 0.95 THEN 1 WHEN s.u_proto < 0.98 THEN 3 ELSE 2 END)::smallint,
  x.rt, CASE WHEN x.rt = 2 THEN (exp(2.6 + 0.9 * (s.u_r1 + s.u_r2 + s.u_r3 - 1.5)) * CASE WHEN s.u_slow < 0.03 THEN 15 ELSE 1 END)::real END,
  CASE WHEN x.rt = 2 AND s.u_fail < 0.012 THEN 2 ELSE x.rcode END::smallint,
  x.qname, x.qtype, 1::smallint,
  CASE WHEN x.rt = 2 AND s.u_fail < 0.012 THEN NULL ELSE x.answer END
FROM (
  SELECT $3::bigint + g.i + 1 AS dlid,
    $4::timestamptz + make_interval(secs => ((g.i / $5::bigint)::float8 + ((g.i % $5::bigint) + 0.5) / $5::float8
      + 0.08 * sin(2 * pi() * ((g.i % $5::bigint) + 0.5) / $5::float8)) * 86400 - random() * 3) AS ts,
    least($8::int, floor(exp(random() * ln($8::float8 + 1)))::int) AS crank,
    random() AS u_cat, random() AS u_k, random() AS u_srv, random() AS u_srv2, random() AS u_proto, random() AS u_fail,
    random() AS u_r1, random() AS u_r2, random() AS u_r3, random() AS u_slow, random() AS u_rt, random() AS u_x
  FROM generate_series($1::bigint, $2::bigint - 1) AS g(i)
) s
JOIN bench_clients c ON c.rank = s.crank
CROSS JOIN LATERAL (
  SELECT h.qname, h.qtype, coalesce(h.rt, CASE WHEN s.u_rt < 0.3 THEN 2 ELSE 3 END)::smallint AS rt, h.rcode::smallint AS rcode, h.answer
    FROM bench_names h WHERE s.u_cat < 0.58 AND h.rank = least($7::int, floor(exp(s.u_k * ln($7::float8 + 1)))::int)
  UNION ALL
  SELECT ${sqlArray(WORDS)}[1 + (k % ${WORDS.length})] || (k / 20)::text || '.' || ${sqlArray(TLDS)}[1 + (k % ${TLDS.length})],
         CASE WHEN s.u_x < 0.65 THEN 1 ELSE 28 END, CASE WHEN s.u_rt < 0.45 THEN 2 ELSE 3 END::smallint, 0::smallint, 'A 203.0.113.' || (k % 250)::text
    FROM (SELECT 1 + floor(s.u_k * s.u_k * 60000)::int AS k) m WHERE s.u_cat >= 0.58 AND s.u_cat < 0.72
  UNION ALL
  SELECT substr(md5((s.dlid * CASE WHEN s.u_x < 0.7 THEN 1 ELSE 0 END + floor(s.u_k * 3000)::bigint)::text), 1, 14) || '.t.telemetry-example.net',
         1, 2::smallint, CASE WHEN s.u_x < 0.4 THEN 3 ELSE 0 END::smallint, NULL
    WHERE s.u_cat >= 0.72 AND s.u_cat < 0.78
  UNION ALL
  SELECT (1 + floor(s.u_k * 250))::int::text || '.' || (floor(s.u_x * 4))::int::text || '.168.192.in-addr.arpa',
         12, 1::smallint, CASE WHEN s.u_rt < 0.5 THEN 3 ELSE 0 END::smallint, NULL
    WHERE s.u_cat >= 0.78 AND s.u_cat < 0.86
  UNION ALL
  SELECT h.qname || (ARRAY['.default.svc.cluster.local', '.svc.cluster.local', '.cluster.local', '.viktorbarzin.lan'])[1 + floor(s.u_x * 4)::int],
         h.qtype, 1::smallint, 3::smallint, NULL
    FROM bench_names h WHERE s.u_cat >= 0.86 AND s.u_cat < 0.93 AND h.rank = least(200, floor(exp(s.u_k * ln(201)))::int)
  UNION ALL
  SELECT 'ads' || (1 + floor(s.u_k * s.u_k * 6000))::int::text || '.tracker-' || (floor(s.u_x * 3))::int::text || '.com',
         CASE WHEN s.u_rt < 0.7 THEN 1 ELSE 28 END, CASE WHEN s.u_fail < 0.93 THEN 4 WHEN s.u_fail < 0.98 THEN 5 ELSE 6 END::smallint, 0::smallint,
         CASE WHEN s.u_rt < 0.7 THEN 'A 0.0.0.0' ELSE 'AAAA ::' END
    WHERE s.u_cat >= 0.93
) x`;

/** Known facts of the data set a seed produces (the benchmark's questions use them; no scan of dns_logs needed). */
export function benchFacts(seed = 11): { singleHomed: { ip: string; server: string; other: string }; busyName: string } {
  const r = rng(seed);
  const head = headNames(r);
  const cl = clients(r);
  const i = cl.findIndex((c) => c.single && c.home === 0);
  return {
    singleHomed: { ip: cl[i].ip, server: BENCH_SERVERS[cl[i].home], other: BENCH_SERVERS[(cl[i].home + 1) % 3] },
    busyName: head.find((h) => h.rcode === 0)!.qname,
  };
}

/** Fill dns_logs with days × perDay rows ending at endAt (default now). */
export async function generateBenchQueryLogs(opts: { databaseUrl: string; days: number; perDay: number; endAt?: Date; seed?: number; log?: (l: string) => void }): Promise<{ rows: number; seconds: number }> {
  const started = performance.now();
  const log = opts.log ?? (() => {});
  const total = Math.round(opts.days * opts.perDay);
  const endAt = opts.endAt ?? new Date();
  const start = new Date(endAt.getTime() - opts.days * 86_400_000);
  const r = rng(opts.seed ?? 11);
  const head = headNames(r);
  const cl = clients(r);
  const connect = async () => {
    const c = new pg.Client({ connectionString: opts.databaseUrl });
    await c.connect();
    return c;
  };
  const main = await connect();
  try {
    await ensureDnsLogsTable(main);
    const existing = Number((await main.query(`SELECT count(*) AS n FROM (SELECT 1 FROM dns_logs LIMIT 1) x`)).rows[0].n);
    if (existing) throw new Error("dns_logs is not empty; load the benchmark data into a fresh database");
    log("dropping indexes for the bulk load");
    for (const [name] of DNS_LOGS_INDEXES) await main.query(`DROP INDEX IF EXISTS ${name}`);
    await main.query(`ALTER TABLE dns_logs DROP CONSTRAINT IF EXISTS dns_logs_pkey`);
    let next = 0;
    let done = 0;
    const chunk = Math.min(opts.perDay, 500_000);
    const worker = async (w: number) => {
      const c = w === 0 ? main : await connect();
      try {
        await c.query("SET synchronous_commit = off");
        await c.query(`SELECT setseed($1)`, [((opts.seed ?? 11) * 31 + w * 17) % 1000 / 1000 - 0.5]);
        await c.query(`CREATE TEMP TABLE bench_names (rank int PRIMARY KEY, qname text, qtype int, rt smallint, rcode smallint, answer text)`);
        await c.query(`CREATE TEMP TABLE bench_clients (rank int PRIMARY KEY, ip text, home int, single boolean)`);
        await c.query(`INSERT INTO bench_names SELECT * FROM unnest($1::int[], $2::text[], $3::int[], $4::smallint[], $5::smallint[], $6::text[])`, [
          head.map((_, i) => i + 1), head.map((h) => h.qname), head.map((h) => h.qtype), head.map((h) => h.rt), head.map((h) => h.rcode), head.map((h) => h.answer),
        ]);
        await c.query(`INSERT INTO bench_clients SELECT * FROM unnest($1::int[], $2::text[], $3::int[], $4::boolean[])`, [cl.map((_, i) => i + 1), cl.map((x) => x.ip), cl.map((x) => x.home), cl.map((x) => x.single)]);
        await c.query("ANALYZE bench_names; ANALYZE bench_clients");
        for (;;) {
          const lo = next;
          if (lo >= total) break;
          const hi = Math.min(total, lo + chunk);
          next = hi;
          await c.query(ROW_SQL, [lo, hi, 0, start.toISOString(), opts.perDay, [...BENCH_SERVERS], head.length, cl.length]);
          done += hi - lo;
          log(`loaded ${done.toLocaleString("en")} / ${total.toLocaleString("en")} rows (${((performance.now() - started) / 1000).toFixed(0)} s)`);
        }
      } finally {
        if (w !== 0) await c.end();
      }
    };
    await Promise.all([worker(0), worker(1)]);
    await main.query(`SELECT setval('dns_logs_dlid_seq', $1)`, [total]);
    const jobs = ["ALTER TABLE dns_logs ADD CONSTRAINT dns_logs_pkey PRIMARY KEY (dlid)", ...DNS_LOGS_INDEXES.map(([n, cols]) => `CREATE INDEX ${n} ON dns_logs (${cols})`)];
    let j = 0;
    const builder = async (b: number) => {
      const c = b === 0 ? main : await connect();
      try {
        await c.query("SET maintenance_work_mem = '512MB'");
        await c.query("SET max_parallel_maintenance_workers = 0");
        for (let sql = jobs[j++]; sql; sql = jobs[j++]) {
          await c.query(sql);
          log(`${sql.slice(0, 60)} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
        }
      } finally {
        if (b !== 0) await c.end();
      }
    };
    await Promise.all([builder(0), builder(1)]);
    await main.query("ANALYZE dns_logs");
  } finally {
    await main.end();
  }
  const seconds = (performance.now() - started) / 1000;
  log(`done: ${total.toLocaleString("en")} rows in ${seconds.toFixed(0)} s`);
  return { rows: total, seconds };
}

if (process.argv[1] && /querylog-dataset\.ts$/.test(process.argv[1])) {
  const arg = (n: string) => {
    const i = process.argv.indexOf(`--${n}`);
    return i >= 0 ? process.argv[i + 1] : undefined;
  };
  const databaseUrl = arg("database-url");
  if (!databaseUrl) {
    console.error("usage: tsx scripts/bench/querylog-dataset.ts --database-url postgresql://… --days 90 --per-day 600000");
    process.exit(2);
  }
  generateBenchQueryLogs({ databaseUrl, days: Number(arg("days") ?? 2), perDay: Number(arg("per-day") ?? 100_000), log: (l) => console.log(l) }).catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
