/**
 * Resolving a filter before anything is read: the rollup watermark (rows past it are "the tail", read raw), the
 * oldest row still in dns_logs (ranges are clipped to it), the signature ids the instance/enum filters select, and the
 * client/name filters turned into dictionary ids (exact values, CIDRs and name patterns alike). Pure apart from the
 * handles it is given.
 */
import type { Stores } from "./db-types";
import { STATE_ID } from "./db-types";
import { CLIENTS, findKeys, type Kind, NAMES } from "./dictionary";
import type { Filter } from "./filters";
import { noSigFilter, type SigDict, sigDict, sigMask } from "./sigs";

/** A name pattern matching more names than this is "broad": read raw (it is dense) rather than through the cubes. */
export const MAX_PATTERN_NAMES = 2000;
export const MAX_CIDR_CLIENTS = 5000;

export interface KeySel {
  kind: Kind;
  not: boolean;
  /** Dictionary ids of the matching keys (complete unless `broad`). */
  ids: number[];
  texts: string[];
  /** Each id's pool (aligned with ids). */
  poolOf: number[];
  pools: number[];
  /** More matches than the cubes are read for: only raw rows (and the sample) can answer. */
  broad: boolean;
}

export interface Plan {
  filter: Filter;
  stores: Stores;
  watermark: number;
  /** Newest timestamp rolled up (null before the first step). */
  watermarkAt: Date | null;
  newest: number;
  /** Range actually searched: `from` may move up to the oldest row still kept. */
  from: Date;
  to: Date;
  clipped: string | null;
  oldest: { dlid: number; at: Date } | null;
  dict: SigDict;
  /** Signature ids passing the instance/enum filters; null = all. */
  mask: Uint8Array | null;
  client: KeySel | null;
  name: KeySel | null;
  empty: boolean;
  /** Reads shared by the panels of one request (keys.ts keyCounts). */
  memo: Map<string, Promise<unknown>>;
  /**
   * Set when one request draws the volume series and the RTT chart: the series' bucket. Both then ask the per-key
   * rollups the same question (with RTT, the series' edge days with hours), so the memo reads them once.
   */
  keyRead?: { step: number };
}

async function selectKeys(stores: Stores, f: Filter): Promise<[KeySel | null, KeySel | null]> {
  const jobs: [Promise<KeySel | null>, Promise<KeySel | null>] = [Promise.resolve(null), Promise.resolve(null)];
  const c = f.client;
  const set = f.clientSet;
  if (set) {
    // the addresses a client-directory set can match, for bounds and the page's index hints (its windows are applied
    // on raw rows and the sample: cubeKey sends such a filter there)
    const ips = [...new Set(set.windows.map((w) => w.ip))];
    const cidrs = set.nets.flatMap((n) => n.cidrs);
    jobs[0] = stores.deck
      .query(`SELECT id, ip AS key, pool FROM querylog_clients WHERE ip = ANY($1::text[]) OR addr <<= ANY($2::inet[]) LIMIT ${MAX_CIDR_CLIENTS + 1}`, [ips, cidrs])
      .then(({ rows }) => sel(CLIENTS, set.not, rows, MAX_CIDR_CLIENTS));
  } else if (c) {
    const sql =
      c.kind === "ip"
        ? `SELECT id, ip AS key, pool FROM querylog_clients WHERE ip = $1`
        : c.kind === "list"
          ? `SELECT id, ip AS key, pool FROM querylog_clients WHERE ip = ANY($1::text[])`
          : `SELECT id, ip AS key, pool FROM querylog_clients WHERE addr <<= $1::inet LIMIT ${MAX_CIDR_CLIENTS + 1}`;
    jobs[0] = stores.deck.query(sql, [c.kind === "list" ? (c.values ?? []) : c.value]).then(({ rows }) => sel(CLIENTS, c.not, rows, MAX_CIDR_CLIENTS));
  }
  const q = f.qname;
  if (q) {
    const rows = q.kind === "exact" ? findKeys(stores.deck, NAMES, [q.value]) : stores.deck.query(`SELECT id, name AS key, pool FROM querylog_names WHERE lower(name) LIKE $1 LIMIT ${MAX_PATTERN_NAMES + 1}`, [q.like]).then((r) => r.rows);
    jobs[1] = rows.then((r) => sel(NAMES, q.not, r, MAX_PATTERN_NAMES));
  }
  return Promise.all(jobs);
}

function sel(kind: Kind, not: boolean, rows: { id: number; key: string; pool: number }[], max: number): KeySel {
  const broad = rows.length > max;
  const r = broad ? [] : rows;
  return { kind, not, ids: r.map((x) => x.id), texts: r.map((x) => x.key), poolOf: r.map((x) => x.pool), pools: [...new Set(r.map((x) => x.pool))], broad };
}

export async function plan(stores: Stores, filter: Filter): Promise<Plan> {
  const id = stores.stateId ?? STATE_ID;
  const [state, edge, cached, [client, name]] = await Promise.all([
    stores.deck.query(`SELECT watermark, watermark_at, (SELECT max(id) FROM querylog_sigs) AS max_sig FROM querylog_state WHERE id = $1`, [id]),
    stores.logs.query(`SELECT dlid, timestamp, (SELECT max(dlid) FROM dns_logs) AS newest FROM dns_logs ORDER BY dlid LIMIT 1`),
    sigDict(stores.deck),
    selectKeys(stores, filter),
  ]);
  const watermark = Number(state.rows[0]?.watermark ?? 0);
  const watermarkAt = state.rows[0]?.watermark_at ? new Date(state.rows[0].watermark_at) : null;
  // A rollup tick adds signatures (ids only grow) in the transaction that writes the rollup rows carrying them: a
  // cached dictionary without the newest id was loaded before such a commit, so it is reloaded.
  const maxSig = state.rows[0]?.max_sig == null ? null : Number(state.rows[0].max_sig);
  const dict = maxSig !== null && !cached.byId.has(maxSig) ? await sigDict(stores.deck, { refresh: true }) : cached;
  const oldest = edge.rows[0] ? { dlid: Number(edge.rows[0].dlid), at: new Date(edge.rows[0].timestamp) } : null;
  let from = filter.from;
  let clipped: string | null = null;
  if (oldest && from < oldest.at) {
    // Technitium's retention deletes in dlid order; a minute of slack keeps rows whose clocks ran slightly behind.
    const kept = new Date(oldest.at.getTime() - 60_000);
    if (from < kept) {
      clipped = `The range starts before the oldest query in dns_logs (${oldest.at.toISOString()}); older rows were deleted by Technitium's retention or never logged, so the search starts there.`;
      from = kept;
    }
  }
  return {
    filter,
    stores,
    watermark,
    watermarkAt,
    newest: Number(edge.rows[0]?.newest ?? 0),
    from,
    to: filter.to,
    clipped,
    oldest,
    dict,
    mask: noSigFilter(filter) ? null : sigMask(dict, filter),
    client,
    name,
    empty: from >= filter.to,
    memo: new Map(),
  };
}

/** The key selection the cubes can answer on their own (one positive or negated client or name filter, not broad). */
export function cubeKey(p: Plan): KeySel | null | "pair" | "broad" {
  // who asked at the row's time: the cubes have no time windows per address; raw rows or the sample answer
  if (p.filter.clientSet) return "pair";
  if (p.client && p.name) return "pair";
  const k = p.client ?? p.name;
  if (!k) return null;
  return k.broad ? "broad" : k;
}

/** The signature ids the plan's instance/enum filters select, as a list (null: every signature). */
export function maskIds(p: Pick<Plan, "mask">): number[] | null {
  if (!p.mask) return null;
  const out: number[] = [];
  p.mask.forEach((v, i) => v && out.push(i));
  return out;
}

/** A read shared by the panels of one request (Plan.memo): made on the first ask, the same promise after. */
export function remember<T>(p: Plan, key: string, read: () => Promise<T>): Promise<T> {
  let hit = p.memo.get(key) as Promise<T> | undefined;
  if (!hit) p.memo.set(key, (hit = read()));
  return hit;
}

/** The filter with its client (kind 0) or name (kind 1) condition made positive: a negated key's matches, to subtract. */
export function positiveKey(f: Filter, kind: Kind): Filter {
  return { ...f, client: f.client && kind === CLIENTS ? { ...f.client, not: false } : f.client, qname: f.qname && kind === NAMES ? { ...f.qname, not: false } : f.qname };
}

/** True when a positive key filter matches no key in the dictionary (nothing rolled up can match). */
export function keyAbsent(p: Plan): boolean {
  return [p.client, p.name].some((k) => k && !k.not && !k.broad && k.ids.length === 0);
}
