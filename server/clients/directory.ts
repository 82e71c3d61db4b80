import "server-only";
import { type ClientQuery, type ClientSet, KUBE_KINDS, MAX_CLIENT_WINDOWS, resolveClientSet, selectedKinds } from "@/k8s/client-set";
import {
  type AddressInterval,
  type ClientIdentity,
  type ClientKind,
  type Observation,
  canonicalIp,
  HOMELAB_CLIENT_NETWORKS,
  identify,
  KIND_LABEL,
  networkOf,
  observeNode,
  observePod,
  reconcile,
} from "@/k8s/clients";
import { db } from "@/server/db/client";
import { query as dnsQuery } from "@/server/dns";
import { listObjects } from "@/server/kube/objects";
import { currentConfig } from "@/server/stack/config-store";

/**
 * The client directory (issue 12): which address was what, when. Fed by the Kubernetes API (pods with their IPs and
 * nodes, nodes' InternalIPs) every REFRESH_MS, by the homelab's networks (k8s/clients.ts), and by reverse lookups of
 * LAN/VPN addresses through Technitium, cached for the record's TTL. Query-log rows are named at read time from these
 * tables; Technitium's dns_logs is never touched.
 *
 * History starts when dnsdeck first saw an address (a pod's interval starts at its start time): rows older than
 * anything the directory has seen for that address are named by network or "unknown", never by today's owner.
 */

export const REFRESH_MS = 30_000;
/** Reverse lookups per refresh (and per page of rows): bounded so a page never waits on DNS and Technitium is not flooded. */
export const PTR_PER_ROUND = 20;
const PTR_TIMEOUT_MS = 800;
const NEGATIVE_TTL_S = 300;
const RETRY_AFTER_ERROR_S = 60;

/** Read pods and nodes, then close and open intervals in one transaction (serialised across replicas). */
export async function refreshDirectory(now = new Date()): Promise<{ opened: number; closed: number }> {
  let observed: Observation[];
  try {
    const [pods, nodes] = await Promise.all([listObjects("v1", "Pod"), listObjects("v1", "Node")]);
    observed = [...nodes.map((n) => observeNode(n as never)), ...pods.map((p) => observePod(p as never))].filter((o): o is Observation => o !== null);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    await db().clientDirectoryStatus.upsert({ where: { id: 1 }, create: { id: 1, lastErrorAt: now, lastError: message.slice(0, 500) }, update: { lastErrorAt: now, lastError: message.slice(0, 500) } });
    throw err;
  }
  const r = await applyObservations(observed, now);
  // the naming queries' plans need statistics, and autovacuum may be off: dnsdeck analyzes its own directory
  if (Date.now() - lastAnalyze > ANALYZE_EVERY_MS) {
    lastAnalyze = Date.now();
    await db().$executeRawUnsafe(`ANALYZE client_addresses, client_names`);
  }
  return r;
}
let lastAnalyze = 0;
const ANALYZE_EVERY_MS = 30 * 60_000;

/** The database half of a refresh (tests feed it observations directly, e.g. an address reused by another pod). */
export async function applyObservations(observed: Observation[], now = new Date()): Promise<{ opened: number; closed: number }> {
  return db().$transaction(
    async (tx) => {
      // one refresher at a time across replicas; the second waits, then sees the first one's result
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('dnsdeck.client-directory'))`;
      const openNow = (await tx.clientAddress.findMany({ where: { validTo: null } })).map(toInterval);
      const r = reconcile(openNow, observed, now);
      if (r.close.length) await tx.clientAddress.updateMany({ where: { ip: { in: r.close.map((c) => c.ip) }, validTo: null }, data: { validTo: now } });
      if (r.open.length) {
        const col = <K extends keyof Observation>(k: K) => r.open.map((o) => o[k]);
        // set-based; never overlap what the address was before: start no earlier than its last closed interval ended
        await tx.$executeRaw`
          INSERT INTO "client_addresses" ("ip", "kind", "name", "namespace", "node", "valid_from")
          SELECT o.ip, o.kind, o.name, o.ns, o.node,
                 GREATEST(o.since, (SELECT max(c."valid_to") FROM "client_addresses" c WHERE c."ip" = o.ip))
          FROM unnest(${col("ip")}::text[], ${col("kind")}::text[], ${col("name")}::text[], ${col("namespace")}::text[], ${col("node")}::text[], ${col("since")}::timestamptz[])
            AS o(ip, kind, name, ns, node, since)`;
      }
      await tx.clientDirectoryStatus.upsert({ where: { id: 1 }, create: { id: 1, lastOkAt: now }, update: { lastOkAt: now } });
      return { opened: r.open.length, closed: r.close.length };
    },
    { timeout: 20_000, maxWait: 10_000 },
  );
}

function toInterval(r: { ip: string; kind: string; name: string; namespace: string | null; node: string | null; validFrom: Date; validTo: Date | null }): AddressInterval {
  return { ip: r.ip, kind: r.kind as ClientKind, name: r.name, namespace: r.namespace, node: r.node, validFrom: r.validFrom, validTo: r.validTo };
}

export interface DirectoryStatus {
  lastOkAt: string | null;
  lastErrorAt: string | null;
  lastError: string | null;
  /** The Kubernetes API has not been read for more than two refresh periods: names of pods may be out of date. */
  stale: boolean;
}

export async function directoryStatus(now = new Date()): Promise<DirectoryStatus> {
  const s = await db().clientDirectoryStatus.findUnique({ where: { id: 1 } });
  const ok = s?.lastOkAt ?? null;
  return {
    lastOkAt: ok?.toISOString() ?? null,
    lastErrorAt: s?.lastErrorAt?.toISOString() ?? null,
    lastError: s?.lastError ?? null,
    stale: !ok || now.getTime() - ok.getTime() > 2 * REFRESH_MS,
  };
}

/**
 * Name many (address, time) pairs at once: one query for the intervals of all the addresses, one for the cached
 * reverse names. LAN/VPN addresses without a fresh reverse name are queued for a bounded background lookup; the
 * caller never waits on DNS.
 */
export async function nameClients(items: { ip: string; at: Date }[]): Promise<ClientIdentity[]> {
  const ips = [...new Set(items.map((i) => canonicalIp(i.ip)).filter((x): x is string => x !== null))];
  if (!ips.length) return items.map((i) => identify(i.ip, i.at, { intervals: [] }));
  // only the interval that covers each (address, time) asked — a reused pod address has dozens over 90 days, and
  // reading them all for a page spread over the range costs more than the page (scripts/bench-naming.ts)
  const pairs = items.map((i) => ({ ip: canonicalIp(i.ip), at: i.at })).filter((p): p is { ip: string; at: Date } => p.ip !== null);
  // one round trip: the covering intervals, then the cached reverse names (t = 'n')
  const all = await db().$queryRaw<{ t: string; ip: string; kind: string; name: string; namespace: string | null; node: string | null; validFrom: Date; validTo: Date | null; expiresAt: Date | null }[]>`
      SELECT DISTINCT 'i' AS t, a.id, a.ip, a.kind, a.name, a.namespace, a.node, a.valid_from AS "validFrom", a.valid_to AS "validTo", NULL::timestamptz AS "expiresAt"
        FROM unnest(${pairs.map((p) => p.ip)}::text[], ${pairs.map((p) => p.at)}::timestamptz[]) AS q(ip, at)
        CROSS JOIN LATERAL (
          SELECT * FROM client_addresses c WHERE c.ip = q.ip AND c.valid_from <= q.at ORDER BY c.valid_from DESC LIMIT 1) a
       -- an address's intervals never overlap: the latest one starting by then covers the time, or nothing does (checked
       -- after the LIMIT, so a time in a gap costs one index probe, not a walk back through the address's history)
       WHERE a.valid_to IS NULL OR a.valid_to > q.at
      UNION ALL
      SELECT 'n', NULL, ip, NULL, name, NULL, NULL, NULL, NULL, expires_at FROM client_names WHERE ip = ANY(${ips}::text[])`;
  const rows = all.filter((r) => r.t === "i");
  const names = all.filter((r) => r.t === "n").map((r) => ({ ip: r.ip, name: r.name as string | null, expiresAt: r.expiresAt as Date }));
  const byIp = new Map<string, AddressInterval[]>();
  for (const r of rows) byIp.set(r.ip, [...(byIp.get(r.ip) ?? []), toInterval(r)]);
  const reverse = new Map(names.map((n) => [n.ip, n]));
  const now = Date.now();
  const wanted = ips.filter((ip) => networkOf(ip)?.reverse && !(reverse.get(ip) && reverse.get(ip)!.expiresAt.getTime() > now));
  if (wanted.length) queueReverse(wanted);
  return items.map((i) => {
    const ip = canonicalIp(i.ip) ?? i.ip;
    return identify(ip, i.at, { intervals: byIp.get(ip) ?? [], reverseName: reverse.get(ip)?.name ?? null });
  });
}

/**
 * Many (address, time) pairs over one range at once (the causes page: every failing client per day over 90 days):
 * every interval of those addresses overlapping the range in one query, then the pure rule per pair — cheaper than a
 * lookup per pair once pairs run into thousands (`nameClients` is the cheaper shape for a page of rows).
 */
export async function nameClientsOver(items: { ip: string; at: Date }[], from: Date, to: Date): Promise<ClientIdentity[]> {
  const ips = [...new Set(items.map((i) => canonicalIp(i.ip)).filter((x): x is string => x !== null))];
  if (!ips.length) return items.map((i) => identify(i.ip, i.at, { intervals: [] }));
  const [rows, names] = await Promise.all([
    db().clientAddress.findMany({ where: { ip: { in: ips }, validFrom: { lt: to }, OR: [{ validTo: null }, { validTo: { gt: from } }] } }),
    db().clientName.findMany({ where: { ip: { in: ips } } }),
  ]);
  const byIp = new Map<string, AddressInterval[]>();
  for (const r of rows) byIp.set(r.ip, [...(byIp.get(r.ip) ?? []), toInterval(r)]);
  const reverse = new Map(names.map((n) => [n.ip, n.name]));
  // an address the directory never saw in the range is the same thing all along: identified once
  const timeless = new Map<string, ClientIdentity>();
  return items.map((i) => {
    const ip = canonicalIp(i.ip) ?? i.ip;
    const intervals = byIp.get(ip);
    if (intervals) return identify(ip, i.at, { intervals, reverseName: reverse.get(ip) ?? null });
    return timeless.get(ip) ?? timeless.set(ip, identify(ip, i.at, { intervals: [], reverseName: reverse.get(ip) ?? null })).get(ip)!;
  });
}

/** What a query-log row or top entry carries about its client (the address itself is the row's). */
export interface RowClient {
  kind: ClientKind;
  /** The kind as people say it ("NodeLocal node"). */
  label: string;
  name: string | null;
  node: string | null;
  network: string | null;
  source: ClientIdentity["source"];
  path: string;
  pathClass: string | null;
}

const rowClient = (c: ClientIdentity): RowClient => ({ kind: c.kind, label: KIND_LABEL[c.kind], name: c.name, node: c.node, network: c.network, source: c.source, path: c.path, pathClass: c.pathClass });

/**
 * Name many rows at once, each by what its address was at its own time: one directory lookup for the distinct
 * (address, time) pairs of the batch, never one per row. When dnsdeck's database cannot be read the rows go out
 * unnamed (`client: null`) rather than not at all.
 */
export async function nameRows<T>(rows: T[], key: (r: T) => { ip: string; at: Date }): Promise<(T & { client: RowClient | null })[]> {
  if (!rows.length) return [];
  const keys = rows.map(key);
  const pairKey = (k: { ip: string; at: Date }) => `${k.ip}|${k.at.getTime()}`;
  const distinct = new Map<string, { ip: string; at: Date }>();
  for (const k of keys) distinct.set(pairKey(k), k);
  let named: Map<string, RowClient> | null = null;
  try {
    const list = [...distinct.values()];
    const ids = await nameClients(list);
    named = new Map(list.map((k, i) => [pairKey(k), rowClient(ids[i])]));
  } catch (err) {
    console.warn(`[clients] naming query-log rows failed: ${err instanceof Error ? err.message : String(err)} (rows shown without names)`);
  }
  return rows.map((r, i) => ({ ...r, client: named?.get(pairKey(keys[i])) ?? null }));
}

/**
 * Resolve a query-log filter by who asked (clientKind / clientName) over [from, to): the directory's intervals that
 * overlap the range (those of the asked kinds, and those inside the asked networks, which name their address first)
 * and the matching reverse names, in two queries; the pure rule is k8s/client-set.ts. A message when it is too large.
 */
export async function clientSetFor(q: ClientQuery, from: Date, to: Date): Promise<ClientSet | string> {
  const needle = q.name?.trim().toLowerCase() || null;
  const kinds = needle ? selectedKinds(q) : (q.kinds ?? []);
  const all = kinds.includes("unknown") && !needle;
  const kube = kinds.filter((k) => KUBE_KINDS.includes(k));
  const nets = HOMELAB_CLIENT_NETWORKS.filter((n) => kinds.includes(n.kind)).map((n) => n.cidr);
  const limit = 2 * MAX_CLIENT_WINDOWS;
  const [rows, reverse] = await Promise.all([
    db().$queryRaw<{ ip: string; kind: string; name: string; namespace: string | null; node: string | null; validFrom: Date; validTo: Date | null }[]>`
      SELECT ip, kind, name, namespace, node, valid_from AS "validFrom", valid_to AS "validTo" FROM client_addresses
       WHERE valid_from < ${to} AND (valid_to IS NULL OR valid_to > ${from})
         AND (${all}::boolean
              OR (kind = ANY(${kube}::text[]) AND (${needle}::text IS NULL OR strpos(lower(name), ${needle ?? ""}) > 0 OR strpos(lower(coalesce(node, '')), ${needle ?? ""}) > 0))
              OR ip::inet <<= ANY(${nets}::inet[]))
       LIMIT ${limit + 1}`,
    needle && kinds.some((k) => k === "lan-device" || k === "vpn-client")
      ? db().clientName.findMany({ where: { name: { contains: needle, mode: "insensitive" } }, select: { ip: true, name: true }, take: MAX_CLIENT_WINDOWS })
      : Promise.resolve([]),
  ]);
  if (rows.length > limit) return `matches more than ${limit} address intervals in this range; choose a shorter range or a more specific name`;
  return resolveClientSet(q, { from, to }, { intervals: rows.map(toInterval), reverse });
}

// ---- reverse names -------------------------------------------------------------------------------

const g = globalThis as unknown as { __dnsdeckPtrQueue?: { pending: Set<string>; running: boolean } };
const queue = () => (g.__dnsdeckPtrQueue ??= { pending: new Set(), running: false });

function queueReverse(ips: string[]): void {
  const q = queue();
  for (const ip of ips) if (q.pending.size < 500) q.pending.add(ip);
  if (!q.running) void drainReverse();
}

/** Look up queued addresses, at most PTR_PER_ROUND at a time, one after another; errors are kept and retried later. */
export async function drainReverse(): Promise<number> {
  const q = queue();
  if (q.running) return 0;
  q.running = true;
  let done = 0;
  try {
    const batch = [...q.pending].slice(0, PTR_PER_ROUND);
    for (const ip of batch) q.pending.delete(ip);
    if (!batch.length) return 0;
    const server = await technitiumAddress();
    for (const ip of batch) {
      await lookupReverse(ip, server);
      done++;
    }
  } finally {
    q.running = false;
  }
  if (q.pending.size) setTimeout(() => void drainReverse(), 1000).unref?.();
  return done;
}

async function technitiumAddress(): Promise<string> {
  try {
    return (await currentConfig()).config.technitium.services.clusterIp.ip;
  } catch {
    return "10.96.0.53";
  }
}

export function reverseName(ip: string): string {
  return `${ip.split(".").reverse().join(".")}.in-addr.arpa`;
}

/** One PTR lookup through Technitium; the answer (or its absence) is kept for the record's TTL. */
export async function lookupReverse(ip: string, server: string): Promise<string | null> {
  const now = Date.now();
  try {
    const r = await dnsQuery({ name: reverseName(ip), type: "PTR", server, timeoutMs: PTR_TIMEOUT_MS });
    const ptr = r.answers.find((a) => a.type === "PTR");
    const name = ptr ? ptr.data.replace(/\.$/, "") : null;
    const ttl = ptr ? Math.max(60, Math.min(ptr.ttl, 86_400)) : NEGATIVE_TTL_S;
    const data = { name, lookedUpAt: new Date(now), expiresAt: new Date(now + ttl * 1000), error: null };
    await db().clientName.upsert({ where: { ip }, create: { ip, ...data }, update: data });
    return name;
  } catch (err) {
    // a timeout leaves the name empty (or keeps the last one) and is retried later; never blocks a page
    const error = (err instanceof Error ? err.message : String(err)).slice(0, 300);
    const data = { lookedUpAt: new Date(now), expiresAt: new Date(now + RETRY_AFTER_ERROR_S * 1000), error };
    await db().clientName.upsert({ where: { ip }, create: { ip, name: null, ...data }, update: data });
    return null;
  }
}

// ---- search --------------------------------------------------------------------------------------

export interface DirectoryEntry {
  ip: string;
  kind: ClientKind;
  name: string | null;
  node: string | null;
  network: string | null;
  source: ClientIdentity["source"];
  path: string;
  pathClass: string | null;
  validFrom: string | null;
  validTo: string | null;
}

/**
 * Search the directory: Kubernetes intervals (current and past) and reverse names whose address or name contains
 * `q`, newest first, paged. An empty `q` lists everything the directory holds.
 */
export async function searchDirectory(p: { q?: string; kind?: ClientKind; page: number; pageSize: number }): Promise<{ entries: DirectoryEntry[]; total: number; page: number; pageSize: number; pages: number }> {
  const q = p.q?.trim() ?? "";
  const like = q ? { contains: q, mode: "insensitive" as const } : undefined;
  const fromKube = await db().clientAddress.findMany({
    where: { ...(like ? { OR: [{ ip: like }, { name: like }, { node: like }] } : {}), ...(p.kind ? { kind: p.kind } : {}) },
    orderBy: [{ validTo: { sort: "desc", nulls: "first" } }, { validFrom: "desc" }],
    take: 2000,
  });
  const entries: DirectoryEntry[] = fromKube.map((r) => {
    const id = identify(r.ip, r.validFrom, { intervals: [toInterval(r)] });
    return { ...id, validFrom: r.validFrom.toISOString(), validTo: r.validTo?.toISOString() ?? null };
  });
  if (!p.kind || p.kind === "lan-device" || p.kind === "vpn-client") {
    const names = await db().clientName.findMany({ where: { name: { not: null }, ...(like ? { OR: [{ ip: like }, { name: like }] } : {}) }, orderBy: { ip: "asc" }, take: 2000 });
    for (const n of names) {
      const id = identify(n.ip, new Date(), { intervals: [], reverseName: n.name });
      if (p.kind && id.kind !== p.kind) continue;
      entries.push({ ...id, validFrom: null, validTo: null });
    }
  }
  const total = entries.length;
  const pages = Math.max(1, Math.ceil(total / p.pageSize));
  const page = Math.min(p.page, pages);
  return { entries: entries.slice((page - 1) * p.pageSize, page * p.pageSize), total, page, pageSize: p.pageSize, pages };
}

/** Every address the directory knows as `kind` (optionally named like `name`): for query-log filters by client. */
export async function addressesOf(p: { kind?: ClientKind; name?: string }): Promise<{ ip: string; validFrom: Date | null; validTo: Date | null }[]> {
  const like = p.name ? { contains: p.name, mode: "insensitive" as const } : undefined;
  const out: { ip: string; validFrom: Date | null; validTo: Date | null }[] = [];
  const rows = await db().clientAddress.findMany({ where: { ...(p.kind ? { kind: p.kind } : {}), ...(like ? { OR: [{ name: like }, { node: like }] } : {}) }, take: 5000 });
  for (const r of rows) out.push({ ip: r.ip, validFrom: r.validFrom, validTo: r.validTo });
  if (!p.kind || p.kind === "lan-device" || p.kind === "vpn-client") {
    const names = await db().clientName.findMany({ where: { name: like ?? { not: null } }, take: 5000 });
    for (const n of names) if (!p.kind || networkOf(n.ip)?.kind === p.kind) out.push({ ip: n.ip, validFrom: null, validTo: null });
  }
  return out;
}

// ---- the refresher -------------------------------------------------------------------------------

const w = globalThis as unknown as { __dnsdeckClientDirectory?: { timer?: NodeJS.Timeout } };

/** Refresh every REFRESH_MS while the process lives (started from instrumentation.ts); failures are recorded, never fatal. */
export function startClientDirectory(): void {
  if (w.__dnsdeckClientDirectory) return;
  const state = (w.__dnsdeckClientDirectory = {} as { timer?: NodeJS.Timeout });
  let lastError = "";
  const tick = async () => {
    try {
      await refreshDirectory();
      lastError = "";
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      if (msg !== lastError) console.warn(`[clients] directory refresh failed: ${msg} (keeping history; retrying every ${REFRESH_MS / 1000} s)`);
      lastError = msg;
    } finally {
      state.timer = setTimeout(() => void tick(), REFRESH_MS);
      state.timer.unref?.();
    }
  };
  state.timer = setTimeout(() => void tick(), 1500);
  state.timer.unref?.();
}
