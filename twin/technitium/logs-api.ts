/**
 * `/api/logs/query` for the Query Logs (PostgreSQL) app (15.x), as WebServiceLogsApi + the app's QueryLogsAsync do it
 * (reference technitium.md §2.14, §4.9): only the answering instance's own rows (`server = dnsServerDomain`), filters
 * as parameters, paging with a synthetic rowNumber, enum names in the entries. Read only (a read-only transaction).
 */
import pg from "pg";
import { surviveConnectionErrors } from "@/server/querylogs/db-types";

const PROTOCOL = ["Udp", "Tcp", "Tls", "Https", "Quic"];
const RESPONSE_TYPE = ["Unknown", "Authoritative", "Recursive", "Cached", "Blocked", "UpstreamBlocked", "UpstreamBlockedCached"];
const RCODE = ["NoError", "FormatError", "ServerFailure", "NxDomain", "NotImplemented", "Refused"];
const QTYPE: Record<number, string> = { 1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR", 15: "MX", 16: "TXT", 28: "AAAA", 33: "SRV", 65: "HTTPS", 252: "AXFR", 255: "ANY" };
const QCLASS: Record<number, string> = { 1: "IN", 3: "CH", 4: "HS", 255: "ANY" };
const byName = (list: string[] | Record<number, string>, name: string) => {
  const entries = Array.isArray(list) ? list.map((v, i) => [i, v] as const) : Object.entries(list).map(([k, v]) => [Number(k), v] as const);
  const hit = entries.find(([, v]) => v.toLowerCase() === name.toLowerCase());
  if (!hit) throw new Error(`Requested value '${name}' was not found.`);
  return hit[0];
};

export interface LogsQuery {
  pageNumber: number;
  entriesPerPage: number;
  descendingOrder: boolean;
  start?: string;
  end?: string;
  clientIpAddress?: string;
  protocol?: string;
  responseType?: string;
  rcode?: string;
  qname?: string;
  qtype?: string;
  qclass?: string;
}

export type QueryLogsApi = (server: string, q: LogsQuery) => Promise<Record<string, unknown>>;

export function queryLogsApi(databaseUrl: string): QueryLogsApi {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2, options: "-c default_transaction_read_only=on -c statement_timeout=10000" });
  surviveConnectionErrors(pool);
  return async (server, q) => {
    const where = [`server = $1`];
    const values: unknown[] = [server];
    const add = (sql: string, v: unknown) => {
      values.push(v);
      where.push(sql.replace("?", `$${values.length}`));
    };
    if (q.start) add("timestamp >= ?", new Date(q.start));
    if (q.end) add("timestamp <= ?", new Date(q.end));
    if (q.clientIpAddress) add("client_ip = ?", q.clientIpAddress);
    if (q.protocol) add("protocol = ?", byName(PROTOCOL, q.protocol));
    if (q.responseType) add("response_type = ?", byName(RESPONSE_TYPE, q.responseType));
    if (q.rcode) add("rcode = ?", byName(RCODE, q.rcode));
    if (q.qtype) add("qtype = ?", byName(QTYPE, q.qtype));
    if (q.qclass) add("qclass = ?", byName(QCLASS, q.qclass));
    if (q.qname) {
      const n = q.qname.toLowerCase().replace(/\.$/, "");
      if (n.includes("*")) add("qname like ?", n.replace(/[\\%_]/g, (c) => `\\${c}`).replace(/\*/g, "%"));
      else add("qname = ?", n);
    }
    const w = where.join(" AND ");
    const total = Number((await pool.query<{ n: string }>(`SELECT count(*) AS n FROM dns_logs WHERE ${w}`, values)).rows[0].n);
    const per = Math.max(1, q.entriesPerPage);
    const totalPages = Math.max(1, Math.ceil(total / per));
    const page = q.pageNumber === -1 || q.pageNumber > totalPages ? totalPages : Math.max(1, q.pageNumber);
    const rows = (
      await pool.query(
        `SELECT timestamp, client_ip, protocol, response_type, response_rtt, rcode, qname, qtype, qclass, answer FROM dns_logs WHERE ${w}
          ORDER BY dlid ${q.descendingOrder ? "DESC" : "ASC"} LIMIT ${per} OFFSET ${(page - 1) * per}`,
        values,
      )
    ).rows;
    const first = q.descendingOrder ? total - (page - 1) * per : (page - 1) * per + 1;
    return {
      pageNumber: page,
      totalPages,
      totalEntries: total,
      entries: rows.map((r, i) => ({
        rowNumber: q.descendingOrder ? first - i : first + i,
        timestamp: new Date(r.timestamp).toISOString(),
        clientIpAddress: r.client_ip,
        protocol: PROTOCOL[r.protocol] ?? String(r.protocol),
        responseType: RESPONSE_TYPE[r.response_type] ?? String(r.response_type),
        ...(r.response_rtt === null ? {} : { responseRtt: r.response_rtt }),
        rcode: RCODE[r.rcode] ?? String(r.rcode),
        qname: r.qname,
        qtype: r.qtype === null ? null : (QTYPE[r.qtype] ?? String(r.qtype)),
        qclass: r.qclass === null ? null : (QCLASS[r.qclass] ?? String(r.qclass)),
        answer: r.answer,
      })),
    };
  };
}
