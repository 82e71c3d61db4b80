/**
 * Networks as rollup keys: every IPv4 client's /24 is also rolled up as a key of its own (kind NETS), summed from the
 * clients' groups of the same step, so a CIDR filter of /24 or wider reads one row per network and day instead of one
 * per client and day (a /24 of 250 busy clients over 90 days: 90 rows, not 22,500). The networks partition the IPv4
 * clients exactly, so a network's counts are its clients' counts summed, per hour, signature and RTT bucket.
 *
 * Readers use them only where they are complete: every day of the range rolled up by steps that wrote them
 * (querylog_days.net_rows = rows), and no network quiet on a day read (quiet keys have no hours; the per-client read,
 * which reads a quiet client's few rows raw, answers then). Pure apart from the handles it is given.
 */
import type { Db } from "./db-types";
import { CLIENTS, type Kind, NAMES, NETS } from "./dictionary";
import type { Filter } from "./filters";
import { type KeyCounts, keyCounts, type ReadKeyOptions } from "./keys";
import { type KeySel, type Plan, remember } from "./plan";
import type { KeyCols, KeyRttCols } from "./rollup-read";

const V4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/** The /24 an IPv4 address is in, as PostgreSQL writes it ("192.168.1.0/24"); null for anything else. */
export function netOf(ip: string): string | null {
  const m = V4.exec(ip);
  if (!m || m.slice(1).some((o) => Number(o) > 255)) return null;
  return `${Number(m[1])}.${Number(m[2])}.${Number(m[3])}.0/24`;
}

/**
 * Client groups in columns (a key text, numeric dimensions, rows `n`) → the same groups per network: each client's
 * key replaced by its network, groups with equal dimensions summed; clients with no network are left out.
 */
function perNet(keys: string[], n: Int32Array, dims: ArrayLike<number>[]): { key: string[]; n: Int32Array; dims: number[][] } {
  // groups found by a tree of numeric maps per network (one level per dimension, the last holding the group's index):
  // no key string built per row — at a day's ~10⁵ client groups that was most of this function and of its garbage
  type Level = Map<number, Level | number>;
  const roots = new Map<string, Level>();
  const nets = new Map<string, string | null>();
  const out = { key: [] as string[], n: [] as number[], dims: dims.map(() => [] as number[]) };
  const last = dims.length - 1;
  for (let i = 0; i < n.length; i++) {
    let net = nets.get(keys[i]);
    if (net === undefined) nets.set(keys[i], (net = netOf(keys[i])));
    if (net === null) continue;
    let level = roots.get(net);
    if (!level) roots.set(net, (level = new Map()));
    for (let c = 0; c < last; c++) {
      const v = dims[c][i];
      let next = level.get(v) as Level | undefined;
      if (!next) level.set(v, (next = new Map()));
      level = next;
    }
    const j = level.get(dims[last][i]) as number | undefined;
    if (j !== undefined) out.n[j] += n[i];
    else {
      level.set(dims[last][i], out.key.length);
      out.key.push(net);
      out.n.push(n[i]);
      for (let c = 0; c <= last; c++) out.dims[c].push(dims[c][i]);
    }
  }
  return { key: out.key, n: Int32Array.from(out.n), dims: out.dims };
}

/** The networks' groups from the clients' (same day, hour and dims summed). */
export function netCols(k: KeyCols): KeyCols {
  const { key, n, dims: [dn, hn, code] } = perNet(k.key, k.n, [k.dn, k.hn, k.code]);
  return { key, dn: Int32Array.from(dn), hn: Int32Array.from(hn), code: Float64Array.from(code), n };
}

/** The networks' RTT groups from the clients' (same day, instance and bucket summed). */
export function netRttCols(r: KeyRttCols): KeyRttCols {
  const { key, n, dims: [dn, srv, rb] } = perNet(r.key, r.n, [r.dn, r.srv, r.rb]);
  return { key, dn: Int32Array.from(dn), srv: Int32Array.from(srv), rb: Int32Array.from(rb), n };
}

/** An IPv4 CIDR of /24 or wider: the networks it holds are whole (a narrower one splits a network). */
function wholeNets(value: string): boolean {
  const [addr, len] = value.split("/");
  return netOf(addr) !== null && Number(len) >= 0 && Number(len) <= 24;
}

/**
 * The networks of a client CIDR filter, when the per-network rollups can stand in for the clients over the range's
 * days; else null (the clients' rollups answer). Same shape as the clients' selection (positive; the caller keeps the
 * filter's negation).
 */
export async function netSelection(deck: Db, f: Filter, dayFrom: string, dayTo: string): Promise<KeySel | null> {
  const c = f.client;
  if (!c || c.kind !== "cidr" || f.clientSet || !wholeNets(c.value)) return null;
  const [complete, nets] = await Promise.all([
    deck.query(`SELECT coalesce(bool_and(net_rows = rows), true) AS ok FROM querylog_days WHERE day >= $1::date AND day <= $2::date`, [dayFrom, dayTo]),
    deck.query(`SELECT id, net::text AS key, pool FROM querylog_nets WHERE net <<= $1::inet`, [c.value]),
  ]);
  if (!complete.rows[0]?.ok) return null;
  const rows = nets.rows as { id: number; key: string; pool: number }[];
  return { kind: NETS, not: c.not, ids: rows.map((r) => r.id), texts: rows.map((r) => r.key), poolOf: rows.map((r) => r.pool), pools: [...new Set(rows.map((r) => r.pool))], broad: false };
}

const DAY = 86_400_000;
const dayText = (t: number) => new Date(Math.floor(t / DAY) * DAY).toISOString().slice(0, 10);

/** The plan's networks (netSelection), once per request. */
function netsOf(p: Plan): Promise<KeySel | null> {
  return remember(p, "nets", () => netSelection(p.stores.deck, p.filter, dayText(p.from.getTime()), dayText(p.to.getTime() - 1)));
}

/**
 * A key selection's per-key counts (keys.ts keyCounts): for the filter's own client CIDR, from its networks when they
 * answer alone — no network quiet (a day total without hours, whose rows the caller would read raw by key) on a day
 * where `quietMatters` — else per client, as always.
 */
export async function selCounts(p: Plan, sel: KeySel, o: ReadKeyOptions, quietMatters: (day: number) => boolean): Promise<KeyCounts> {
  return (await netCounts(p, sel, o, quietMatters)) ?? keyCounts(p.stores, sel, o, p.memo);
}

/** selCounts' networks alone: their counts when they answer, else null. */
export async function netCounts(p: Plan, sel: KeySel, o: ReadKeyOptions, quietMatters: (day: number) => boolean): Promise<KeyCounts | null> {
  if (sel.kind !== CLIENTS || !p.client || sel.ids !== p.client.ids || !sel.ids.length) return null;
  const nets = await netsOf(p);
  if (!nets?.ids.length) return null;
  const kc = await keyCounts(p.stores, nets, o, p.memo);
  const quiet = [...kc.quiet.keys()].some(quietMatters) || [...kc.quietHot.keys()].some((t) => quietMatters(Math.floor(t / DAY) * DAY));
  return quiet ? null : kc;
}

/** The kinds written per step and packed per day, in order. */
export const ROLLED_KINDS: Kind[] = [CLIENTS, NAMES, NETS];
