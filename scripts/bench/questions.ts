/**
 * The query-log benchmark's questions: what a person asks the Query logs page (each panel is one HTTP request, exactly
 * as the page sends it), and what Technitium's console would run for the same question on one instance (exact
 * COUNT(*) then ORDER BY dlid DESC LIMIT 50 OFFSET …; for charts and top lists the plain GROUP BY).
 */

export interface Keys {
  /** A busy client, a client seen on one instance only (and an instance it never used), a busy name. */
  client: string;
  singleHomed: { ip: string; server: string; other: string };
  name: string;
  suffix: string;
  substring: string;
  cidr: string;
  /** The instance the console side is measured on. */
  server: string;
}

export interface Panel {
  /** Which request of the page: rows (+count), charts (series + RTT), top lists, an exact count, a chart by hour;
   * "clients": the named top clients alone (issue 12: `lists=clients`, each client named by the directory). */
  kind: "rows" | "charts" | "top" | "clients" | "exact" | "hourly" | "page1000";
  path: string;
}

export interface Question {
  label: string;
  params: Record<string, string>;
  panels: Panel["kind"][];
  /** WHERE for the console side (besides server = $1 and the time range $2, $3) and its extra values from $4. */
  console: { where: string; values: unknown[] } | null;
  /** Checked against SQL: this is the answer's row count (empty intersections must be 0). */
  expectEmpty?: boolean;
}

export function questions(k: Keys, days: number): Question[] {
  const all = ["rows", "charts", "top"] as Panel["kind"][];
  const d = `${days} d`;
  return [
    { label: `Everything, ${d}`, params: {}, panels: [...all, "clients", "hourly"], console: { where: "true", values: [] } },
    { label: `One client (${k.client}), ${d}`, params: { client: k.client }, panels: [...all, "exact"], console: { where: "client_ip = $4", values: [k.client] } },
    { label: `One client, 24 h`, params: { client: k.client, from: "24h" }, panels: all, console: { where: "client_ip = $4", values: [k.client] } },
    {
      label: `Client on an instance it never used (${k.singleHomed.ip} @ ${k.singleHomed.other}), ${d}`,
      params: { client: k.singleHomed.ip, server: k.singleHomed.other },
      panels: all,
      console: { where: "client_ip = $4", values: [k.singleHomed.ip] },
      expectEmpty: true,
    },
    { label: `CIDR ${k.cidr}, ${d}`, params: { client: k.cidr }, panels: all, console: { where: "client_ip::inet <<= $4::inet", values: [k.cidr] } },
    { label: `One name (${k.name}), ${d}`, params: { qname: k.name }, panels: [...all, "exact"], console: { where: "qname = $4", values: [k.name] } },
    { label: `Name never answered NXDOMAIN (${k.name} + NxDomain), ${d}`, params: { qname: k.name, rcode: "NxDomain" }, panels: all, console: { where: "qname = $4 AND rcode = 3", values: [k.name] }, expectEmpty: true },
    { label: `Suffix ${k.suffix}, ${d}`, params: { qname: k.suffix }, panels: all, console: { where: "qname LIKE $4", values: [k.suffix.replace("*", "%")] } },
    { label: `Substring ~${k.substring}, ${d}`, params: { qname: `~${k.substring}` }, panels: all, console: { where: "qname LIKE $4", values: [`%${k.substring}%`] } },
    { label: `NXDOMAIN, ${d}`, params: { rcode: "NxDomain" }, panels: all, console: { where: "rcode = 3", values: [] } },
    {
      label: `Client + NXDOMAIN + instance, ${d}`,
      params: { client: k.client, rcode: "NxDomain", server: k.server },
      panels: all,
      console: { where: "client_ip = $4 AND rcode = 3", values: [k.client] },
    },
    { label: `Client + name, ${d}`, params: { client: k.client, qname: k.name }, panels: [...all, "exact"], console: { where: "client_ip = $4 AND qname = $5", values: [k.client, k.name] } },
    { label: `Recursive AAAA over TCP/UDP, not ${k.server}, ${d}`, params: { responseType: "Recursive", qtype: "AAAA", server: `!${k.server}` }, panels: all, console: null },
    { label: `Page 1,000 (50/page), Cached, ${d}`, params: { responseType: "Cached" }, panels: ["page1000"], console: { where: "response_type = 3", values: [] } },
  ];
}

/** The console's SQL for a question and panel kind (one instance: server = $1; range: $2, $3). */
export function consoleSql(q: Question, kind: Panel["kind"]): string[] {
  const w = `server = $1 AND timestamp >= $2 AND timestamp < $3 AND ${q.console!.where}`;
  const cols = "dlid, timestamp, client_ip, protocol, response_type, response_rtt, rcode, qname, qtype, qclass, answer";
  if (kind === "rows" || kind === "exact") return [`SELECT count(*) FROM dns_logs WHERE ${w}`, `SELECT ${cols} FROM dns_logs WHERE ${w} ORDER BY dlid DESC LIMIT 50`];
  if (kind === "page1000") return [`SELECT count(*) FROM dns_logs WHERE ${w}`, `SELECT ${cols} FROM dns_logs WHERE ${w} ORDER BY dlid DESC LIMIT 50 OFFSET 49950`];
  if (kind === "charts" || kind === "hourly")
    return [`SELECT date_trunc('${kind === "hourly" ? "hour" : "day"}', timestamp), response_type, rcode, count(*), percentile_disc(0.5) WITHIN GROUP (ORDER BY response_rtt) FROM dns_logs WHERE ${w} GROUP BY 1, 2, 3`];
  if (kind === "clients") return [`SELECT client_ip, count(*) FROM dns_logs WHERE ${w} GROUP BY 1 ORDER BY 2 DESC LIMIT 20`];
  return [
    `SELECT qname, count(*) FROM dns_logs WHERE ${w} GROUP BY 1 ORDER BY 2 DESC LIMIT 20`,
    `SELECT client_ip, count(*) FROM dns_logs WHERE ${w} GROUP BY 1 ORDER BY 2 DESC LIMIT 20`,
    `SELECT qname, count(*) FROM dns_logs WHERE ${w} AND response_type IN (4, 5, 6) GROUP BY 1 ORDER BY 2 DESC LIMIT 20`,
  ];
}

/** The page's request for a question and panel. */
export function panelPath(params: Record<string, string>, kind: Panel["kind"], cursor?: string): string {
  const p = new URLSearchParams(params);
  if (kind === "rows" || kind === "page1000") {
    p.set("count", kind === "page1000" ? "none" : "fast");
    // as the page asks: the next page comes with each page (view.tsx rowsQuery)
    p.set("ahead", "1");
    if (cursor) p.set("cursor", cursor);
    return `/api/v1/query-logs?${p}`;
  }
  if (kind === "exact") {
    p.set("count", "exact");
    p.set("ahead", "1");
    return `/api/v1/query-logs?${p}`;
  }
  if (kind === "charts") return `/api/v1/query-logs/stats?${p}&parts=series,rtt`;
  if (kind === "hourly") return `/api/v1/query-logs/stats?${p}&bucket=1h&parts=series`;
  if (kind === "clients") return `/api/v1/query-logs/stats?${p}&parts=top&lists=clients`;
  return `/api/v1/query-logs/stats?${p}&parts=top`;
}
