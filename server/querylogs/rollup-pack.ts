/**
 * Packing one closed UTC day of per-key counts into querylog_key_day rows and the day's top lists (querylog_top_day).
 * Used by the catch-up step (a window that covers a whole day) and by closing a day from the hot tables. Pure.
 */
import { clientPool, namePool, type Kind, NAMES } from "./dictionary";
import { type HourEntry, packHours, packPool, packPoolHours, packPoolRtt, packRtt, packTop, type PoolEntry, POOL_RTT_KEY, poolRttCode, type RttEntry } from "./pack";
import { DENSE_DAY } from "./rollup-read";
import type { SigDict } from "./sigs";
import { BLOCKED_TYPES } from "./sigs";

export const TOP_K = 100;
export const TOP_K_SIG = 25;
export const SLICE_ALL = -1;
export const SLICE_BLOCKED = -2;
export const sliceServer = (serverId: number) => -(1000 + serverId);
export const sliceServerBlocked = (serverId: number) => -(2000 + serverId);
/** One list per enum value seen that day, for a top list filtered by one enum column (any values, negated or not). */
export const sliceRcode = (rcode: number) => -(3000 + rcode);
export const sliceRt = (rt: number) => -(4000 + rt);
/** qtype -1 (no question) included. */
export const sliceQtype = (qtype: number) => -(100_000 + qtype);
/** querylog_days.top_slices of a day packed with the lists above (0: per signature only, packed before they existed). */
export const TOP_SLICES = 1;

export interface DayKeyData {
  /** (key id, sig, n) for the whole day. */
  day: { key: number; sig: number; n: number }[];
  /**
   * (key id, hour 0–23, sig, n) — at least for every key with DENSE_DAY rows or more; where it covers the quiet keys
   * too, their pool rows keep their hours (else hours are read raw for them).
   */
  hours: { key: number; hour: number; sig: number; n: number }[];
  /** (key id, server id, bucket, n) — at least for the busy keys (the quiet ones' go into their pool rows). */
  rtt: { key: number; server: number; bucket: number; n: number }[];
  /**
   * The quiet keys' rows as (key id·2^16 + sig)·32 + hour, one number a row (any order), where the caller has them so
   * (the catch-up's names); else they are taken from `hours`.
   */
  quietRows?: Float64Array;
  /** The quiet keys' RTT as pack.ts poolRttCode numbers, where the caller has them so; else taken from `rtt`. */
  quietRtt?: number[];
}

export interface PackedRow {
  grp: number;
  h: Buffer | null;
  r: Buffer | null;
  d: Buffer | null;
}
export interface TopRow {
  slice: number;
  keys: Buffer;
  rest: number;
}

export function packDay(kind: Kind, data: DayKeyData, poolOf: (key: number) => number): PackedRow[] {
  const totals = new Map<number, number>();
  for (const e of data.day) totals.set(e.key, (totals.get(e.key) ?? 0) + e.n);
  const dense = new Set<number>();
  for (const [k, n] of totals) if (n >= DENSE_DAY) dense.add(k);
  // a key's pool once (a name's is parsed from its text)
  const poolIds = new Map<number, number>();
  const pool = (key: number) => poolIds.get(key) ?? poolIds.set(key, poolOf(key)).get(key)!;
  const hours = new Map<number, HourEntry[]>();
  // quiet keys' rows, one number each — (key·2^16 + sig)·32 + hour (< 2^53: exact) — sorted natively: a pool entry's
  // hours are one run of it (no map per entry: a day has ~10^5 of them)
  let quietN = 0;
  if (!data.quietRows) for (const e of data.hours) if (!dense.has(e.key)) quietN += e.n;
  const quietRows = data.quietRows ?? new Float64Array(quietN);
  let qi = 0;
  for (const e of data.hours) {
    if (!dense.has(e.key)) {
      if (!data.quietRows) quietRows.fill((e.key * 65536 + e.sig) * 32 + e.hour, qi, qi + e.n);
      qi += e.n;
      continue;
    }
    let l = hours.get(e.key);
    if (!l) hours.set(e.key, (l = []));
    l.push({ hour: e.hour, sig: e.sig, n: e.n });
  }
  quietRows.sort();
  const rtt = new Map<number, RttEntry[]>();
  // quiet keys' RTT entries as numbers sorted natively (poolRttCode), then split by pool in that order
  const quietRtt: number[] = data.quietRtt ?? [];
  for (const e of data.rtt) {
    if (!dense.has(e.key)) {
      if (!data.quietRtt) quietRtt.push(poolRttCode(e));
      continue;
    }
    let l = rtt.get(e.key);
    if (!l) rtt.set(e.key, (l = []));
    l.push({ server: e.server, bucket: e.bucket, n: e.n });
  }
  const poolRtt = new Map<number, number[]>();
  const rttFits = !quietRtt.some(Number.isNaN);
  if (rttFits) for (const c of Float64Array.from(quietRtt).sort()) {
    const p = pool(Math.floor(c / POOL_RTT_KEY));
    const l = poolRtt.get(p);
    if (l) l.push(c);
    else poolRtt.set(p, [c]);
  }
  const pools = new Map<number, PoolEntry[]>();
  const own = new Map<number, PoolEntry[]>();
  for (const e of data.day) {
    if (dense.has(e.key)) {
      let l = own.get(e.key);
      if (!l) own.set(e.key, (l = []));
      l.push({ key: e.key, sig: e.sig, n: e.n });
      continue;
    }
    const p = pool(e.key);
    let l = pools.get(p);
    if (!l) pools.set(p, (l = []));
    l.push({ key: e.key, sig: e.sig, n: e.n });
  }
  const out: PackedRow[] = [];
  for (const k of dense) {
    const h = hours.get(k);
    if (!h) throw new Error(`busy ${kind === NAMES ? "name" : "client"} ${k} has no hourly rows`);
    out.push({ grp: k, h: packHours(h), r: rtt.has(k) ? packRtt(rtt.get(k)!) : null, d: packPool(own.get(k)!) });
  }
  for (const [p, l] of pools) {
    const d = packPool(l); // (sorts l: the hours follow its order)
    const h = rttFits ? packPoolHours(l, quietRows) : null;
    // RTT without the hours would read as "hours unknown, RTT known": a pool row keeps both or neither
    out.push({ grp: -1 - p, h, r: h && poolRtt.has(p) ? packPoolRtt(poolRtt.get(p)!) : null, d });
  }
  return out;
}

/** Pool of a key id, from the key texts (the dictionary stores the same value). */
export function poolFor(kind: Kind, texts: Map<number, string>): (key: number) => number {
  return (key) => {
    const t = texts.get(key);
    if (t === undefined) throw new Error(`no text for key ${key}`);
    return kind === NAMES ? namePool(t) : clientPool(t);
  };
}

/**
 * The k biggest entries (ties by key) and the count of the first one left out. A day's slice can hold 10⁵ keys: their
 * counts are ranked as one numeric array (a native sort), and only the entries at or above the k-th count are sorted
 * as pairs.
 */
function topOf(m: Map<number, number>, k: number): { keys: Buffer; rest: number } {
  let all: [number, number][];
  let rest = 0;
  if (m.size <= k) all = [...m.entries()];
  else {
    const counts = Float64Array.from(m.values()).sort();
    const kth = counts[counts.length - k];
    rest = counts[counts.length - k - 1];
    all = [];
    for (const e of m) if (e[1] >= kth) all.push(e);
  }
  all.sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  return { keys: packTop(all.slice(0, k).map(([key, n]) => ({ key, n }))), rest };
}

/**
 * The day's top lists: all, blocked, per instance (both), per rcode / response type / query type, per signature —
 * or the per-value ones alone (`valuesOnly`: a day packed before they existed, rollup-close.ts backfillValueLists).
 */
export function topLists(kind: Kind, day: DayKeyData["day"], dict: SigDict, opts: { valuesOnly?: boolean } = {}): TopRow[] {
  const slices = new Map<number, Map<number, number>>();
  const sliceMap = (id: number) => slices.get(id) ?? slices.set(id, new Map()).get(id)!;
  // the slices a signature's rows count in, worked out once per signature rather than once per row
  const targets = new Map<number, Map<number, number>[]>();
  const targetsOf = (sig: number) => {
    const s = dict.byId.get(sig);
    if (!s) throw new Error(`unknown signature ${sig}`);
    const ids = [sliceRcode(s.rcode), sliceRt(s.rt), sliceQtype(s.qtype)];
    if (!opts.valuesOnly) {
      ids.push(SLICE_ALL, sliceServer(s.serverId), sig);
      if (kind === NAMES && BLOCKED_TYPES.has(s.rt)) ids.push(SLICE_BLOCKED, sliceServerBlocked(s.serverId));
    }
    const ms = ids.map(sliceMap);
    targets.set(sig, ms);
    return ms;
  };
  for (const e of day) for (const m of targets.get(e.sig) ?? targetsOf(e.sig)) m.set(e.key, (m.get(e.key) ?? 0) + e.n);
  const out: TopRow[] = [];
  for (const [slice, m] of slices) out.push({ slice, ...topOf(m, slice < 0 ? TOP_K : TOP_K_SIG) });
  return out;
}
