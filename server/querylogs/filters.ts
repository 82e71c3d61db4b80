/**
 * The query-log filter language shared by the API, the page's URLs, the export and the benchmark. Pure (no I/O).
 *
 *   from, to        ISO-8601 (no offset = UTC); default: the last 24 hours. `to` is exclusive.
 *   server          instance name(s), comma-separated
 *   client          an IP address or a CIDR (192.168.1.0/24)
 *   clientKind      who asked, by kind (coredns-pod, nodelocal-node, pfsense, lan-device, vpn-client, technitium, pod,
 *                   unknown), comma-separated; `!` for every other kind
 *   clientName      part of the client's name (pod, node, pfSense role, a device's reverse name), case-insensitive
 *                   (clientKind/clientName are resolved through the client directory: see k8s/client-set.ts)
 *   qname           `a.b` exact · `*.b` suffix (any `*` is a wildcard) · `~abc` substring
 *   qtype, rcode, responseType, protocol   enum names as Technitium prints them (A, NxDomain, Cached, Udp) or numbers,
 *                   comma-separated
 * Every filter can be negated with a leading `!` ("everything except"). Invalid values are refused with a message
 * naming the parameter; values are only ever sent to PostgreSQL as bind parameters.
 */
import { z } from "zod";
import type { ClientSet } from "@/k8s/client-set";
import { CLIENT_KINDS, type ClientKind } from "@/k8s/clients";
import { isRealDate } from "@/k8s/schemas";
import { isCidr } from "@/server/auth/cidr";
import { decode, encode, type EnumField, PROTOCOLS, QTYPES, RCODES, RESPONSE_TYPES } from "./enums";

export interface SetFilter<T> {
  values: T[];
  not: boolean;
}
export interface ClientFilter {
  /** `list`: the addresses a client-directory filter stands for when time does not matter in the range (never parsed). */
  kind: "ip" | "cidr" | "list";
  value: string;
  values?: string[];
  not: boolean;
}
/** `clientKind` / `clientName` as asked (the directory resolves them: `clientSet`, or `client` as a list). */
export interface WhoFilter {
  kinds: ClientKind[] | null;
  kindsNot: boolean;
  name: string | null;
}
export interface NameFilter {
  kind: "exact" | "suffix" | "substring" | "wildcard";
  /** Normalised input without `!`/`~` (lower-case, no trailing dot). */
  value: string;
  /** LIKE pattern (backslash-escaped) for suffix/substring/wildcard; the exact name otherwise. */
  like: string;
  not: boolean;
}
export interface Filter {
  from: Date;
  to: Date;
  server?: SetFilter<string>;
  client?: ClientFilter;
  who?: WhoFilter;
  /** `who` resolved to address/time windows (set by the service before anything is read). */
  clientSet?: ClientSet;
  qname?: NameFilter;
  qtype?: SetFilter<number>;
  rcode?: SetFilter<number>;
  responseType?: SetFilter<number>;
  protocol?: SetFilter<number>;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?)?(Z|[+-](\d{2})(?::?(\d{2}))?)?$/i;

/** Query logs dnsdeck answers for: Technitium's retention (90 days); older or far-future ranges are clipped to it. */
export const RETENTION_DAYS = 90;

/** A strict ISO-8601 time: real calendar dates only (2026-02-30 is refused, not rolled over), hours < 24, offsets ≤ 14 h. */
export function parseTime(raw: string): Date | undefined {
  const s = raw.trim();
  const m = ISO.exec(s);
  if (!m) return undefined;
  const [y, mo, d, h = "0", mi = "0", sec = "0"] = m.slice(1, 7);
  if (!isRealDate(Number(y), Number(mo), Number(d)) || Number(h) > 23 || Number(mi) > 59 || Number(sec) > 59) return undefined;
  if (m[8] !== undefined && (Number(m[8]) > 14 || Number(m[9] ?? 0) > 59)) return undefined;
  let t = s.replace(" ", "T");
  if (!m[7]) t += t.length === 10 ? "T00:00:00Z" : "Z";
  const date = new Date(t);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export function parseName(raw: string): NameFilter | string {
  let s = raw.trim();
  const not = s.startsWith("!");
  if (not) s = s.slice(1).trim();
  const substring = s.startsWith("~");
  if (substring) s = s.slice(1);
  s = s.toLowerCase();
  if (s.length > 1 && s.endsWith(".")) s = s.slice(0, -1);
  if (s === ".") s = "";
  if (s.length > 255) return "is longer than 255 characters";
  if (!/^[a-z0-9._*\-]*$/.test(s)) return "may only contain letters, digits, '.', '-', '_' and '*' (and a leading '~' or '!')";
  if (substring) {
    if (s.includes("*")) return "a ~substring search cannot contain '*'";
    if (s.length === 0) return "~ needs some text to search for";
    return { kind: "substring", value: s, like: `%${likeEscape(s)}%`, not };
  }
  if (s.includes("*")) {
    if (/^\*+$/.test(s)) return "'*' alone matches everything; leave the name empty instead";
    const like = likeEscape(s).replace(/\*+/g, "%");
    const kind = /^\*\.[^*]+$/.test(s) ? "suffix" : "wildcard";
    return { kind, value: s, like, not };
  }
  return { kind: "exact", value: s, like: s, not };
}

export function parseClient(raw: string): ClientFilter | string {
  let s = raw.trim().toLowerCase();
  const not = s.startsWith("!");
  if (not) s = s.slice(1).trim();
  if (!isCidr(s)) return "must be an IP address or a CIDR such as 192.168.1.0/24";
  return { kind: s.includes("/") ? "cidr" : "ip", value: s, not };
}

export function parseClientKinds(raw: string): { kinds: ClientKind[]; not: boolean } | string {
  let s = raw.trim();
  const not = s.startsWith("!");
  if (not) s = s.slice(1);
  const parts = s.split(",").map((x) => x.trim()).filter(Boolean);
  if (!parts.length) return "is empty";
  for (const p of parts) if (!(CLIENT_KINDS as readonly string[]).includes(p)) return `"${p.slice(0, 40)}" is not a client kind; use ${CLIENT_KINDS.join(", ")}`;
  return { kinds: [...new Set(parts as ClientKind[])], not };
}

export function parseClientName(raw: string): string {
  const s = raw.trim();
  if (s.length > 100) return "is longer than 100 characters";
  if (s.startsWith("!")) return "cannot be negated; exclude a kind with clientKind=!… instead";
  if (!/^[\p{L}\p{N}._:/ ()·-]+$/u.test(s)) return "may only contain letters, digits, spaces and '.', '-', '_', ':', '/', '·', '(', ')'";
  return "";
}

function parseSet(field: EnumField, raw: string): SetFilter<number> | string {
  let s = raw.trim();
  const not = s.startsWith("!");
  if (not) s = s.slice(1);
  const parts = s.split(",").map((x) => x.trim()).filter(Boolean);
  if (!parts.length) return "is empty";
  const values: number[] = [];
  for (const p of parts) {
    const n = encode(field, p);
    if (n === undefined) return `"${p.slice(0, 40)}" is not a known ${field} name`;
    values.push(n);
  }
  return { values: [...new Set(values)], not };
}

const text = z
  .union([z.string().max(2000, "is longer than 2000 characters"), z.array(z.string().max(2000)).max(50, "is repeated too often")])
  .transform((v) => (Array.isArray(v) ? v.join(",") : v))
  .optional();

/** The query-string fields (raw strings); `filterSchema` turns them into a Filter. */
export const filterFields = {
  from: text,
  to: text,
  server: text,
  client: text,
  clientKind: text,
  clientName: text,
  qname: text,
  qtype: text,
  rcode: text,
  responseType: text,
  protocol: text,
};

export type RawFilter = { [K in keyof typeof filterFields]?: string };

/** Refine raw fields into a Filter, adding one zod issue per bad parameter (path = the parameter's name). */
export function toFilter(raw: RawFilter, ctx: z.RefinementCtx, now = new Date()): Filter {
  const issue = (path: string, message: string) => ctx.addIssue({ code: "custom", path: [path], message });
  const to = raw.to ? parseTime(raw.to) : now;
  if (!to) issue("to", "must be an ISO-8601 time such as 2026-11-24T10:00:00Z");
  const from = raw.from ? parseTime(raw.from) : new Date((to ?? now).getTime() - 86_400_000);
  if (!from) issue("from", "must be an ISO-8601 time such as 2026-11-24T10:00:00Z");
  if (from && to && from >= to) issue("from", "must be before 'to'");
  // Clip to what can exist: the retention window behind, a day ahead (clocks drift). A range entirely outside is refused.
  const floor = new Date(now.getTime() - RETENTION_DAYS * 86_400_000);
  const ceiling = new Date(now.getTime() + 86_400_000);
  const f: Filter = { from: from && from > floor ? from : floor, to: to && to < ceiling ? to : ceiling };
  if (from && to && from < to && f.from >= f.to) issue("from", `the range lies outside the last ${RETENTION_DAYS} days, the query logs Technitium keeps`);
  if (raw.server?.trim()) {
    let s = raw.server.trim();
    const not = s.startsWith("!");
    if (not) s = s.slice(1);
    const values = s.split(",").map((x) => x.trim().toLowerCase()).filter(Boolean);
    if (!values.length || values.some((v) => v.length > 255 || !/^[a-z0-9._-]+$/.test(v))) issue("server", "must be instance names (letters, digits, '.', '-', '_'), comma-separated");
    else f.server = { values, not };
  }
  if (raw.client?.trim()) {
    const c = parseClient(raw.client);
    if (typeof c === "string") issue("client", c);
    else f.client = c;
  }
  if (raw.clientKind?.trim() || raw.clientName?.trim()) {
    const who: WhoFilter = { kinds: null, kindsNot: false, name: null };
    if (raw.clientKind?.trim()) {
      const k = parseClientKinds(raw.clientKind);
      if (typeof k === "string") issue("clientKind", k);
      else Object.assign(who, { kinds: k.kinds, kindsNot: k.not });
    }
    if (raw.clientName?.trim()) {
      const bad = parseClientName(raw.clientName);
      if (bad) issue("clientName", bad);
      else who.name = raw.clientName.trim();
    }
    if (f.client) issue("clientKind", "cannot be combined with client (an address); use one or the other");
    else f.who = who;
  }
  if (raw.qname !== undefined && raw.qname.trim() !== "") {
    const n = parseName(raw.qname);
    if (typeof n === "string") issue("qname", n);
    else f.qname = n;
  }
  for (const field of ["qtype", "rcode", "responseType", "protocol"] as const) {
    const v = raw[field];
    if (v === undefined || v.trim() === "") continue;
    const r = parseSet(field, v);
    if (typeof r === "string") issue(field, r);
    else f[field] = r;
  }
  return f;
}

export const filterSchema = z.object(filterFields).transform((raw, ctx) => toFilter(raw, ctx));

/** Filters the hourly rollups can answer (no client or name filter). */
export function rollupCountable(f: Filter): boolean {
  return !f.client && !f.qname && !f.who && !f.clientSet;
}

/** The filter back as query-string parameters (for URLs and the export link). */
export function filterToParams(f: Partial<Filter>): Record<string, string> {
  const out: Record<string, string> = {};
  if (f.from) out.from = f.from.toISOString();
  if (f.to) out.to = f.to.toISOString();
  if (f.server) out.server = (f.server.not ? "!" : "") + f.server.values.join(",");
  if (f.client && f.client.kind !== "list") out.client = (f.client.not ? "!" : "") + f.client.value;
  if (f.who?.kinds) out.clientKind = (f.who.kindsNot ? "!" : "") + f.who.kinds.join(",");
  if (f.who?.name) out.clientName = f.who.name;
  if (f.qname) out.qname = (f.qname.not ? "!" : "") + (f.qname.kind === "substring" ? "~" : "") + f.qname.value;
  const maps = { qtype: QTYPES, rcode: RCODES, responseType: RESPONSE_TYPES, protocol: PROTOCOLS } as const;
  for (const k of ["qtype", "rcode", "responseType", "protocol"] as const) {
    const v = f[k];
    if (v) out[k] = (v.not ? "!" : "") + v.values.map((n) => decode(maps[k], n, k === "qtype" ? "TYPE" : "")).join(",");
  }
  return out;
}
