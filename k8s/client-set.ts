import { type AddressInterval, type ClientKind, type ClientNetwork, HOMELAB_CLIENT_NETWORKS, KIND_LABEL, networkOf } from "./clients";
import { parseCidr } from "./net";

/**
 * Query-log filters by who asked (issue 12): `clientKind=` / `clientName=` resolved through the client directory into
 * a set of addresses and time windows, so a row matches when its address WAS that client AT THE ROW'S TIME (a pod
 * address reused by another pod later matches only while it belonged to the one asked for). Pure (no I/O): the
 * directory's rows come in as facts; `server/querylogs/raw.ts` turns the set into SQL.
 *
 * A row (ip, t) is in the set when
 *   - a window (ip, [from, to)) covers it — Kubernetes intervals of the asked kind / name, clipped to the range; or
 *   - its address is in a network term (cidrs, but in none of notCidrs — a more specific network of another kind, such
 *     as pfSense's 192.168.1.2 inside the LAN) and no Kubernetes interval (`except`) covers (ip, t): the directory's
 *     own rule, Kubernetes first, then the network (k8s/clients.ts `identify`).
 * `not` inverts the whole set ("everything but NodeLocal").
 */
export interface ClientWindow {
  ip: string;
  from: Date;
  to: Date;
}
export interface NetTerm {
  cidrs: string[];
  notCidrs: string[];
}
export interface ClientSet {
  not: boolean;
  windows: ClientWindow[];
  nets: NetTerm[];
  except: ClientWindow[];
  /** What was asked, for notes and chips ("NodeLocal node named like k8s-node2"). */
  label: string;
}

export interface ClientQuery {
  /** Kinds asked for (null: any kind; only with a name). */
  kinds: ClientKind[] | null;
  /** `clientKind=!…`: every kind but these. */
  kindsNot: boolean;
  /** Case-insensitive part of the client's name (pod namespace/name, node, pfSense role, reverse name). */
  name: string | null;
}

/** More windows than this in one range is a filter to narrow, not to send to PostgreSQL. */
export const MAX_CLIENT_WINDOWS = 5000;

const ALL_KINDS = Object.keys(KIND_LABEL) as ClientKind[];

/** The kinds a query selects positively (a negated kind list with a name becomes every other kind). */
export function selectedKinds(q: ClientQuery): ClientKind[] {
  if (!q.kinds) return ALL_KINDS;
  return q.kindsNot ? ALL_KINDS.filter((k) => !q.kinds!.includes(k)) : q.kinds;
}

/** Kubernetes-fed kinds (the others come from the homelab's networks). */
export const KUBE_KINDS: ClientKind[] = ["coredns-pod", "nodelocal-node", "technitium", "pod"];

function contains(outer: string, inner: string): boolean {
  const o = parseCidr(outer);
  const i = parseCidr(inner);
  if (!o || !i || o[0].kind() !== i[0].kind() || i[1] <= o[1]) return false;
  return i[0].match(o);
}

function inCidr(ip: string, cidr: string): boolean {
  const c = parseCidr(cidr);
  const a = parseCidr(ip);
  return !!c && !!a && a[0].kind() === c[0].kind() && a[0].match(c);
}

/** The network as a term: its members but those of more specific networks of another kind (named by those). */
function netTerm(n: ClientNetwork, nets: ClientNetwork[]): NetTerm {
  return { cidrs: [n.cidr], notCidrs: nets.filter((m) => m.kind !== n.kind && contains(n.cidr, m.cidr)).map((m) => m.cidr) };
}

const clip = (i: AddressInterval, from: Date, to: Date): ClientWindow | null => {
  const a = i.validFrom > from ? i.validFrom : from;
  const b = i.validTo && i.validTo < to ? i.validTo : to;
  return a < b ? { ip: i.ip, from: a, to: b } : null;
};

/** Human text for a query: "NodeLocal node named like k8s-node2", "every client but LAN device". */
export function describeClientQuery(q: ClientQuery): string {
  const kinds = q.kinds ? q.kinds.map((k) => KIND_LABEL[k]).join(" or ") : "any client";
  const base = q.kinds && q.kindsNot ? `every client but ${kinds}` : kinds;
  return q.name ? `${base} named like "${q.name}"` : base;
}

/**
 * Resolve a query over [from, to) from the directory's facts: every Kubernetes interval overlapping the range (at
 * least those of the asked kinds and those inside the homelab's networks; all of them when `unknown` is asked) and
 * the reverse names known for LAN/VPN addresses. Returns the set, or a message when it is too large to send.
 */
export function resolveClientSet(
  q: ClientQuery,
  range: { from: Date; to: Date },
  facts: { intervals: AddressInterval[]; reverse: { ip: string; name: string | null }[]; networks?: ClientNetwork[] },
): ClientSet | string {
  const nets = facts.networks ?? HOMELAB_CLIENT_NETWORKS;
  const needle = q.name?.trim().toLowerCase() || null;
  const like = (s: string | null | undefined) => !!s && (!needle || s.toLowerCase().includes(needle));
  const kinds = new Set(needle ? selectedKinds(q) : (q.kinds ?? []));
  const windows: ClientWindow[] = [];
  for (const i of facts.intervals) {
    if (!kinds.has(i.kind)) continue;
    if (needle && !like(i.name) && !like(i.node)) continue;
    const w = clip(i, range.from, range.to);
    if (w) windows.push(w);
  }
  const terms: NetTerm[] = [];
  for (const n of nets) {
    if (!kinds.has(n.kind)) continue;
    // a network whose members are named by their own reverse names matches a name through those names only
    if (needle && (n.reverse || !like(n.name))) continue;
    terms.push(netTerm(n, nets));
  }
  if (needle)
    for (const r of facts.reverse) {
      const n = networkOf(r.ip, nets);
      if (n?.reverse && kinds.has(n.kind) && like(r.name)) terms.push({ cidrs: [r.ip.includes(":") ? `${r.ip}/128` : `${r.ip}/32`], notCidrs: [] });
    }
  if (kinds.has("unknown") && !needle) terms.push({ cidrs: ["0.0.0.0/0", "::/0"], notCidrs: nets.map((n) => n.cidr) });
  // Kubernetes intervals name their address before any network does: rows they cover are not the network's
  const except: ClientWindow[] = [];
  if (terms.length)
    for (const i of facts.intervals) {
      if (!terms.some((t) => t.cidrs.some((c) => inCidr(i.ip, c)))) continue;
      const w = clip(i, range.from, range.to);
      if (w) except.push(w);
    }
  if (windows.length + except.length > MAX_CLIENT_WINDOWS)
    return `matches ${windows.length + except.length} address intervals in this range (at most ${MAX_CLIENT_WINDOWS}); choose a shorter range or a more specific name`;
  return { not: !needle && q.kindsNot, windows, nets: terms, except, label: describeClientQuery(q) };
}

/**
 * The set as a plain list of addresses when time does not matter in the range: every window covers the whole range
 * and every network term is a single address no Kubernetes interval overrides. The query-log rollups answer such a
 * list exactly (per-address cubes); anything else is read from raw rows or the sample. null otherwise.
 */
export function asAddressList(s: ClientSet, range: { from: Date; to: Date }, max = 500): string[] | null {
  if (s.except.length) return null;
  const out = new Set<string>();
  for (const w of s.windows) {
    if (w.from > range.from || w.to < range.to) return null;
    out.add(w.ip);
  }
  for (const t of s.nets) {
    if (t.notCidrs.length || t.cidrs.length !== 1) return null;
    const c = parseCidr(t.cidrs[0]);
    if (!c || c[1] !== (c[0].kind() === "ipv4" ? 32 : 128)) return null;
    out.add(c[0].toString());
  }
  return out.size <= max ? [...out] : null;
}

/** Does (ip, at) belong to the set? The same rule as the SQL, for tests and for naming checks. */
export function inClientSet(s: ClientSet, ip: string, at: Date): boolean {
  const t = at.getTime();
  const covers = (w: ClientWindow) => w.ip === ip && w.from.getTime() <= t && t < w.to.getTime();
  const hit = s.windows.some(covers) || (s.nets.some((n) => n.cidrs.some((c) => inCidr(ip, c)) && !n.notCidrs.some((c) => inCidr(ip, c))) && !s.except.some(covers));
  return s.not ? !hit : hit;
}
