/**
 * Signatures: one small id per (instance, response type, rcode, qtype, protocol) combination seen in dns_logs (a few
 * hundred in a homelab). Every rollup is keyed by signature, so any combination of the page's enum and instance
 * filters — negated or not — becomes a set of ids, and one more dimension (a client kind, an NXDOMAIN cause) is one
 * more column here rather than a new family of tables. Pure apart from the handles it is given.
 */
import type { Db } from "./db-types";
import type { Filter, SetFilter } from "./filters";

export interface Sig {
  id: number;
  serverId: number;
  /** Instance name ('' when dns_logs.server is NULL). */
  server: string;
  rt: number;
  rcode: number;
  /** -1 when qtype is NULL (no question). */
  qtype: number;
  proto: number;
}

export interface SigDict {
  byId: Map<number, Sig>;
  byDims: Map<string, number>;
  serverIds: Map<string, number>;
  servers: Map<number, string>;
  loadedAt: number;
}

export const dimsKey = (serverId: number, rt: number, rcode: number, qtype: number, proto: number) => `${serverId}|${rt}|${rcode}|${qtype}|${proto}`;

export async function loadSigs(db: Db): Promise<SigDict> {
  const [servers, sigs] = await Promise.all([
    db.query(`SELECT id, name FROM querylog_servers`),
    db.query(`SELECT id, server_id, response_type, rcode, qtype, protocol FROM querylog_sigs`),
  ]);
  const d: SigDict = { byId: new Map(), byDims: new Map(), serverIds: new Map(), servers: new Map(), loadedAt: Date.now() };
  for (const s of servers.rows) {
    d.servers.set(Number(s.id), s.name);
    d.serverIds.set(s.name, Number(s.id));
  }
  for (const r of sigs.rows) {
    const sig: Sig = { id: Number(r.id), serverId: Number(r.server_id), server: d.servers.get(Number(r.server_id)) ?? "", rt: r.response_type, rcode: r.rcode, qtype: r.qtype, proto: r.protocol };
    d.byId.set(sig.id, sig);
    d.byDims.set(dimsKey(sig.serverId, sig.rt, sig.rcode, sig.qtype, sig.proto), sig.id);
  }
  return d;
}

/**
 * Make sure every (server, rt, rcode, qtype, proto) in `seen` has an id. Call inside the rollup's transaction, which
 * holds the rollup advisory lock, so ids are handed out by one writer at a time.
 */
export async function ensureSigs(db: Db, dict: SigDict, seen: Iterable<[string, number, number, number, number]>): Promise<SigDict> {
  const newServers = new Set<string>();
  const wanted: [string, number, number, number, number][] = [];
  const once = new Set<string>();
  for (const t of seen) {
    const k = t.join("|");
    if (once.has(k)) continue;
    once.add(k);
    const sid = dict.serverIds.get(t[0]);
    if (sid === undefined) newServers.add(t[0]);
    if (sid === undefined || !dict.byDims.has(dimsKey(sid, t[1], t[2], t[3], t[4]))) wanted.push(t);
  }
  if (!wanted.length) return dict;
  if (newServers.size) await registerServers(db, [...newServers]);
  await db.query(
    `INSERT INTO querylog_sigs (id, server_id, response_type, rcode, qtype, protocol)
     SELECT (SELECT coalesce(max(id), 0) FROM querylog_sigs) + row_number() OVER (), x.sid, x.rt, x.rc, x.qt, x.pr
       FROM (SELECT DISTINCT s.id AS sid, u.rt, u.rc, u.qt, u.pr
               FROM unnest($1::text[], $2::smallint[], $3::smallint[], $4::int[], $5::smallint[]) AS u(srv, rt, rc, qt, pr)
               JOIN querylog_servers s ON s.name = u.srv) x
      WHERE NOT EXISTS (SELECT 1 FROM querylog_sigs g WHERE g.server_id = x.sid AND g.response_type = x.rt AND g.rcode = x.rc AND g.qtype = x.qt AND g.protocol = x.pr)`,
    [wanted.map((t) => t[0]), wanted.map((t) => t[1]), wanted.map((t) => t[2]), wanted.map((t) => t[3]), wanted.map((t) => t[4])],
  );
  const fresh = await loadSigs(db);
  if (fresh.byId.size > 32_000) throw new Error("more than 32,000 distinct (instance, response type, rcode, qtype, protocol) combinations");
  return fresh;
}

/** Give instance names an id (idempotent; under the rollup lock, or harmless races resolved by the unique name). */
export async function registerServers(db: Db, names: string[]): Promise<void> {
  await db.query(
    `INSERT INTO querylog_servers (id, name)
     SELECT (SELECT coalesce(max(id), 0) FROM querylog_servers) + i, n FROM unnest($1::text[]) WITH ORDINALITY AS u(n, i)
     WHERE NOT EXISTS (SELECT 1 FROM querylog_servers s WHERE s.name = u.n)
     ON CONFLICT (name) DO NOTHING`,
    [names],
  );
  if (((await db.query(`SELECT max(id) AS m FROM querylog_servers`)).rows[0].m ?? 0) > 255)
    throw new Error("more than 255 instance names in dns_logs.server; dnsdeck's rollups support up to 255 instances");
}

function inSet(v: number | string, f: SetFilter<number> | SetFilter<string> | undefined): boolean {
  if (!f) return true;
  const hit = (f.values as (number | string)[]).includes(v);
  return f.not ? !hit : hit;
}

/** Does a signature pass the filter's instance and enum conditions (the same semantics as the SQL on dns_logs)? */
export function sigMatches(s: Sig, f: Pick<Filter, "server" | "qtype" | "rcode" | "responseType" | "protocol">): boolean {
  if (f.server) {
    // A NULL server never equals a value, and passes a negated filter (as `server IS NULL OR server <> ALL(…)`).
    const hit = s.server !== "" && f.server.values.includes(s.server);
    if (f.server.not ? hit : !hit) return false;
  }
  if (f.qtype) {
    const hit = s.qtype !== -1 && f.qtype.values.includes(s.qtype);
    if (f.qtype.not ? hit : !hit) return false;
  }
  return inSet(s.rcode, f.rcode) && inSet(s.rt, f.responseType) && inSet(s.proto, f.protocol);
}

/** True when the filter has no instance or enum condition (every signature passes). */
export function noSigFilter(f: Filter): boolean {
  return !f.server && !f.qtype && !f.rcode && !f.responseType && !f.protocol;
}

/** The signature ids passing the filter (plus an optional extra test), as a lookup table indexed by id. */
export function sigMask(dict: SigDict, f: Filter, extra?: (s: Sig) => boolean): Uint8Array {
  let max = 0;
  for (const id of dict.byId.keys()) max = Math.max(max, id);
  const mask = new Uint8Array(max + 1);
  for (const s of dict.byId.values()) if (sigMatches(s, f) && (!extra || extra(s))) mask[s.id] = 1;
  return mask;
}

export const BLOCKED_TYPES = new Set([4, 5, 6]);
export const isBlocked = (s: Sig) => BLOCKED_TYPES.has(s.rt);

/** Per-handle cache (a pool's dictionary changes only when the rollup meets a new combination). */
let cache = new WeakMap<object, { dict: SigDict; at: number }>();

/** Drop cached dictionaries (the rollup in this process added signatures). */
export function invalidateSigs(): void {
  cache = new WeakMap();
}

/** The dictionary for a database handle; pass a stable handle (the pool), as the cache is per handle. */
export async function sigDict(db: Db, opts: { maxAgeMs?: number; refresh?: boolean } = {}): Promise<SigDict> {
  const hit = cache.get(db);
  if (hit && !opts.refresh && Date.now() - hit.at < (opts.maxAgeMs ?? 30_000)) return hit.dict;
  const dict = await loadSigs(db);
  cache.set(db, { dict, at: Date.now() });
  return dict;
}
