/** Figures and the docs/benchmarks.md section of the query-log benchmark. Pure. */

export const pct = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))];
};
export const fmt = (ms: number | null) => (ms === null ? "—" : ms < 10 ? ms.toFixed(1) : ms.toFixed(0));

export interface Result {
  question: string;
  panel: string;
  deck: number[];
  cons: number[] | null;
  consTimedOut: boolean;
  note: string;
}

export function table(results: Result[], consoleTimeoutMs: number): string {
  const head = `| Question | Panel | dnsdeck p50 (ms) | dnsdeck p95 (ms) | console p50 (ms) | console p95 (ms) | console p95 ÷ dnsdeck p95 | notes |\n|---|---|---:|---:|---:|---:|---:|---|`;
  const lines = results.map((r) => {
    const dp95 = pct(r.deck, 0.95);
    const cp95 = r.cons ? pct(r.cons, 0.95) : null;
    const ratio = r.consTimedOut ? `> ${Math.round(consoleTimeoutMs / dp95)}×` : cp95 === null ? "" : `${(cp95 / dp95).toFixed(cp95 / dp95 >= 10 ? 0 : 1)}×`;
    const cons = (q: number) => (r.consTimedOut ? `> ${consoleTimeoutMs / 1000} s` : r.cons ? fmt(pct(r.cons, q)) : "—");
    return `| ${r.question} | ${r.panel} | ${fmt(pct(r.deck, 0.5))} | ${fmt(dp95)} | ${cons(0.5)} | ${cons(0.95)} | ${ratio} | ${r.note} |`;
  });
  return [head, ...lines].join("\n");
}

export interface RunInfo {
  command: string;
  at: string;
  machine: string;
  rows: number;
  dnsLogsSize: string;
  dnsLogsBytes: number;
  data: string;
  load: string;
  build: { seconds: number; rows: number; cpuNote: string; load: string } | null;
  deckBytes: number;
  deckTables: string;
  dead: string;
  iterations: number;
  consoleIterations: number;
  consoleTimeoutMs: number;
  checks: string[];
  /** One worker tick once caught up (the app stopped, n rows appended), three timings each. */
  ticks: { rows: number; ms: number[] }[];
}

const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;

/** docs/benchmarks.md with its query-log section replaced by `section` (the other benchmarks' sections kept). */
export function withSection(current: string, section: string): string {
  const lines = current.split("\n");
  const start = lines.findIndex((l) => l.startsWith("## Query-log explorer"));
  if (start < 0) return `${current.trimEnd() || "# Benchmarks"}\n\n${section.trimEnd()}\n`;
  let end = lines.findIndex((l, i) => i > start && l.startsWith("## "));
  if (end < 0) end = lines.length;
  return [...lines.slice(0, start), ...section.trimEnd().split("\n"), "", ...lines.slice(end)].join("\n");
}

export function doc(info: RunInfo, body: string): string {
  return `## Query-log explorer (issues 6 and 14)

Run: \`${info.command}\` on ${info.at} UTC.

- Machine: ${info.machine}. Shared with other engineers' builds and tests while it ran: ${info.load}.
- Data: ${info.rows.toLocaleString("en")} rows in \`dns_logs\` (${info.dnsLogsSize} with Technitium's 14 indexes + primary key), ${info.data}
- Rollups: ${
    info.build
      ? `first build by dnsdeck's own background worker (the app's rollup path, started empty, timed until \`/api/v1/query-logs/status\` reported nothing left to roll up): **${info.build.seconds.toFixed(0)} s** for ${info.build.rows.toLocaleString("en")} rows (${info.build.cpuNote}; load average during the build ${info.build.load}).`
      : "reused (an already built rollup database was given with --deck-url)."
  }
- dnsdeck's tables: ${mb(info.deckBytes)} = ${((info.deckBytes / info.dnsLogsBytes) * 100).toFixed(1)} % of \`dns_logs\` (${info.deckTables}). Dead rows after the build: ${info.dead}.
- Steady state: one worker tick (\`rollupTick\` with the worker's options, the app stopped) after n new rows —
  ${info.ticks.map((t) => `${t.rows.toLocaleString("en")} rows: ${t.ms.map((m) => fmt(m)).join(" / ")} ms`).join("; ")}.
- dnsdeck's path: the page's own HTTP requests against the production build (\`next start\`), one panel per request
  (rows with their count, charts = series + RTT, top lists = names, clients, blocked). ${info.iterations} timed runs after one
  warm-up, all three instances. Console: what Technitium's \`/api/logs/query\` runs (exact \`COUNT(*)\`, then
  \`ORDER BY dlid DESC LIMIT 50 OFFSET …\`) or the plain GROUP BY a console user would run for a chart or top list, on ONE
  instance (\`server = …\`, which flatters it), ${info.consoleIterations} timed runs after one warm-up, ${info.consoleTimeoutMs / 1000} s statement timeout.
- Checked in the same run: ${info.checks.join("; ")}.

${body}

Budget on this machine (issue 14), at 54M rows over 90 days: every panel ≤ 100 ms p95 for any single or combined
filter (substring ≤ 300 ms), charts at any bucket ≤ 50 ms, empty intersections ≤ 100 ms with a count of 0, exact count on
demand ≤ 500 ms, the first rollup build of 27M rows ≤ 5 min, dnsdeck's tables ≤ 5 % of \`dns_logs\`.

How dnsdeck gets there (details in \`server/querylogs/README.md\`):
- **Signatures**: every (instance, response type, rcode, qtype, protocol) combination seen gets a small id; any
  combination of those filters is a set of ids. Per day and signature (24 hourly columns), per hour and signature
  (twelve 5-minute columns) and RTT histograms answer every instance/enum filter exactly.
- **Per-key rollups**: per client and per name, each closed day packed into binary rows (busy keys: hourly counts per
  signature and RTT per instance; quiet keys share a row per registered domain or /24), so a client or name filter —
  exact, CIDR, \`*.suffix\`, \`~substring\` — is counted exactly from a few dozen rows, and an empty intersection is known
  without touching \`dns_logs\`.
- **Pages** in time order with a keyset cursor; the rollups bound each page query to the newest stretch that holds a
  page, and nothing is read when nothing matches.
- **Top lists**: each closed day's ranked lists pick candidates, the per-key rollups count them exactly; the list says
  when it is proven complete. A client AND a name together: raw rows when the rollups bound them to a few thousand,
  else dnsdeck's 1-in-128 sample, marked as an estimate.
- **Rollup build**: one UTC day per step while catching up (three grouped passes over the day's primary-key range,
  written once, insert-only); then the settled rows each 15 s into hot tables, packed when the day closes; dnsdeck
  vacuums its own tables.

Reproduce with the command above (\`--reuse\` keeps a loaded \`dns_logs\`, \`--deck-url\` a built rollup database).
`;
}
