/**
 * Name and client dictionaries in dnsdeck's database: text ↔ small integer id, plus a locality pool (quiet keys of one
 * registered domain or one /24 share a packed rollup row, so `*.example.org` or a CIDR reads a handful of rows).
 * Insert-only (no hit counters, so no dead rows). Pure apart from the handles it is given.
 */
import { isIp } from "@/k8s/net";
import type { Db } from "./db-types";

export const NAME_POOLS = 4096;
export const CLIENT_POOLS = 1024;

function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** The part of a name that groups it with its siblings: the registered domain, or the /24 of a PTR name. */
export function nameLocality(name: string): string {
  const labels = name.split(".");
  if (name.endsWith(".in-addr.arpa")) return labels.slice(-5).join(".");
  if (name.endsWith(".ip6.arpa")) return labels.slice(-18).join(".");
  const n = labels.length >= 3 && labels[labels.length - 1].length === 2 && labels[labels.length - 2].length <= 3 ? 3 : 2;
  return labels.slice(-n).join(".");
}

export function clientLocality(ip: string): string {
  if (ip.includes(":")) return ip.split(":").slice(0, 4).join(":");
  return ip.split(".").slice(0, 3).join(".");
}

export const namePool = (name: string) => hash32(nameLocality(name)) % NAME_POOLS;
export const clientPool = (ip: string) => hash32(clientLocality(ip)) % CLIENT_POOLS;

export type Kind = 0 | 1 | 2; // 0 clients, 1 names, 2 networks (each IPv4 client's /24: nets.ts)
export const CLIENTS = 0 as const;
export const NAMES = 1 as const;
export const NETS = 2 as const;

/** text → id for one dnsdeck database (ids never change once given). Bounded: cleared when it grows past the cap. */
export type KeyCache = [Map<string, number>, Map<string, number>, Map<string, number>];
const caches = new WeakMap<object, KeyCache>();
const CACHE_CAP = 400_000;

/** The id cache for a database, keyed by a stable handle of it (the pool). */
export function keyCache(owner: object): KeyCache {
  let c = caches.get(owner);
  if (!c) caches.set(owner, (c = [new Map(), new Map(), new Map()]));
  return c;
}

/** Remember ids once the transaction that created them has committed. */
export function remember(cache: KeyCache, kind: Kind, ids: Map<string, number>): void {
  const c = cache[kind];
  if (c.size + ids.size > CACHE_CAP) c.clear();
  for (const [k, id] of ids) c.set(k, id);
}

/**
 * The dictionary's names given as $1 (text[]), as `x`. Names are indexed by `hashtext(name)` (querylog_names_hash_idx,
 * a 4-byte key: a unique btree on the text itself was a third of the dictionary's size) and compared whole after it.
 * A join, not `name = ANY($1)`: against a parameter array that comparison is a linear search per candidate row.
 * Uniqueness is the writer's: names are only inserted by `keyIds`, under the rollup lock, when not found this way.
 */
const NAMES_GIVEN = `unnest($1::text[]) AS u(k) JOIN querylog_names x ON hashtext(x.name) = hashtext(u.k) AND x.name = u.k`;

/** Ids for the given keys, creating the missing ones (inside the caller's transaction when `db` is one). */
export async function keyIds(db: Db, kind: Kind, keys: Iterable<string>, cache?: KeyCache): Promise<Map<string, number>> {
  const known = cache?.[kind];
  const out = new Map<string, number>();
  const missing = new Set<string>();
  for (const k of keys) {
    const id = known?.get(k);
    if (id !== undefined) out.set(k, id);
    else missing.add(k);
  }
  if (!missing.size) return out;
  const uniq = [...missing];
  if (kind === NAMES)
    await db.query(
      `INSERT INTO querylog_names (name, pool) SELECT n, p FROM unnest($1::text[], $2::int[]) AS u(n, p)
        WHERE NOT EXISTS (SELECT 1 FROM querylog_names x WHERE hashtext(x.name) = hashtext(u.n) AND x.name = u.n)`,
      [uniq, uniq.map(namePool)],
    );
  else if (kind === NETS)
    await db.query(
      `INSERT INTO querylog_nets (net, pool) SELECT n, p FROM unnest($1::inet[], $2::int[]) AS u(n, p)
        WHERE NOT EXISTS (SELECT 1 FROM querylog_nets x WHERE x.net = u.n) ON CONFLICT (net) DO NOTHING`,
      [uniq, uniq.map(clientPool)],
    );
  else
    await db.query(
      `INSERT INTO querylog_clients (ip, addr, pool) SELECT ip, a, p FROM unnest($1::text[], $2::inet[], $3::int[]) AS u(ip, a, p)
        WHERE NOT EXISTS (SELECT 1 FROM querylog_clients x WHERE x.ip = u.ip) ON CONFLICT (ip) DO NOTHING`,
      [uniq, uniq.map((ip) => (isIp(ip) ? ip : null)), uniq.map(clientPool)],
    );
  const { rows } = await db.query(
    kind === NAMES ? `SELECT x.id, x.name AS k FROM ${NAMES_GIVEN}` : kind === NETS ? `SELECT id, net::text AS k FROM querylog_nets WHERE net = ANY($1::inet[])` : `SELECT id, ip AS k FROM querylog_clients WHERE ip = ANY($1::text[])`,
    [uniq],
  );
  for (const r of rows) out.set(r.k, r.id);
  return out;
}

export interface KeyInfo {
  id: number;
  key: string;
  pool: number;
}

/** Look up existing keys (no inserts): exact texts. */
export async function findKeys(db: Db, kind: Kind, keys: string[]): Promise<KeyInfo[]> {
  if (!keys.length) return [];
  const sql = kind === NAMES ? `SELECT x.id, x.name AS key, x.pool FROM ${NAMES_GIVEN}` : `SELECT id, ip AS key, pool FROM querylog_clients WHERE ip = ANY($1::text[])`;
  return (await db.query(sql, [keys])).rows.map((r) => ({ id: r.id, key: r.key, pool: r.pool }));
}

/** Texts for ids (top lists). */
export async function keyTexts(db: Db, kind: Kind, ids: number[]): Promise<Map<number, string>> {
  if (!ids.length) return new Map();
  const sql = kind === NAMES ? `SELECT id, name AS key FROM querylog_names WHERE id = ANY($1::int[])` : `SELECT id, ip AS key FROM querylog_clients WHERE id = ANY($1::int[])`;
  return new Map((await db.query(sql, [ids])).rows.map((r) => [r.id, r.key]));
}
