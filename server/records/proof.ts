import { bare, canonicalValue, fqdn, reverseName, type RecordType } from "@/k8s/records";
import { query } from "@/server/dns";
import type { Progress } from "@/server/sync/progress";
import type { SyncContext } from "@/server/sync/context";
import type { RunStatus } from "@/server/sync/runs";
import type { TechnitiumApi } from "@/server/technitium/client";
import { withCachedAddresses } from "./zones";
import { type PathProof, provePaths, type TraceFn } from "./paths";

/**
 * Proof after a change (pure I/O over the door and DNS, no database): read the primary's SOA serial (API and over
 * DNS), ask each replica to resync the zone (and the reverse zone of a paired PTR), then resolve the name at every
 * instance over DNS until each answers what the primary now holds — or the deadline passes. The verdict names every
 * instance that did not agree.
 */
export interface Expectation {
  zone: string;
  name: string;
  type: RecordType;
  /** Canonical values that must be answered. */
  present: string[];
  /** Canonical values that must no longer be answered. */
  absent: string[];
  /** A paired PTR: the reverse name must answer `ptrName` (or no longer, when `absent`). */
  ptr?: { reverseZone: string; name: string; ptrName: string; absent?: boolean };
}

export interface InstanceProof {
  instance: string;
  item: string;
  outcome: "in-step" | "failed";
  message?: string;
  serialApi?: number | null;
  serialDns?: number | null;
  answers?: string[];
}

export interface ProofResult {
  status: Exclude<RunStatus, "running">;
  summary: string;
  error?: string;
  items: InstanceProof[];
  primarySerial?: number;
  /** The client paths (pod, LAN) traced hop by hop once the instances agree (./paths.ts). */
  paths?: PathProof[];
}

const errMsg = (e: unknown) => (e instanceof Error ? e.message : String(e));
/** DNS presentation (server/dns codec) → dnsdeck's canonical value, so answers compare with what was written. */
const norm = (type: string, data: string) => canonicalValue(type as RecordType, data) ?? data;

/** What an instance answers for name/type over DNS, as canonical values (NXDOMAIN/NODATA → []). */
export async function answersAt(ctx: SyncContext, instance: string, name: string, type: string): Promise<string[]> {
  const addr = await ctx.dnsAddress(instance);
  if (!addr) throw new Error("its DNS address is unknown");
  const r = await query({ name, type, server: addr.server, port: addr.port, timeoutMs: 1500, recursionDesired: false });
  if (r.rcode !== "NOERROR" && r.rcode !== "NXDOMAIN") throw new Error(`answered ${r.rcode}`);
  return r.answers.filter((a) => a.type === type && bare(a.name) === bare(name)).map((a) => norm(type, a.data));
}

async function serialOf(api: TechnitiumApi, zone: string): Promise<number | null> {
  const z = (await api.listZones({ timeoutMs: 3000 })).find((x) => x.name.toLowerCase() === zone.toLowerCase());
  return z?.soaSerial ?? null;
}

async function dnsSerialOf(ctx: SyncContext, instance: string, zone: string): Promise<number | null> {
  const addr = await ctx.dnsAddress(instance);
  if (!addr) return null;
  const r = await query({ name: zone, type: "SOA", server: addr.server, port: addr.port, timeoutMs: 1500, recursionDesired: false });
  const soa = r.answers.find((a) => a.type === "SOA");
  return soa ? Number(soa.data.split(" ")[2]) : null;
}

function agrees(e: Expectation, got: string[], ptrGot: string[] | null): string | null {
  const missing = e.present.filter((v) => !got.includes(v));
  const stale = e.absent.filter((v) => got.includes(v));
  if (missing.length) return `does not answer ${missing.join(", ")} yet (answers ${got.join(", ") || "nothing"})`;
  if (stale.length) return `still answers ${stale.join(", ")}`;
  if (e.ptr && ptrGot) {
    const want = `${bare(e.ptr.ptrName)}.`;
    if (!e.ptr.absent && !ptrGot.includes(want)) return `PTR ${e.ptr.name} answers ${ptrGot.join(", ") || "nothing"}, not ${want}`;
    if (e.ptr.absent && ptrGot.includes(want)) return `PTR ${e.ptr.name} still names ${want}`;
  }
  return null;
}

export async function prove(
  base: SyncContext,
  e: Expectation,
  progress: Progress,
  opts: { deadlineMs?: number; pollMs?: number; paths?: { trace: TraceFn; kind: "internal" | "public" } | { error: string } } = {},
): Promise<ProofResult> {
  const ctx = withCachedAddresses(base);
  const deadline = Date.now() + (opts.deadlineMs ?? 30_000);
  const pollMs = opts.pollMs ?? 500;
  const [primary, ...replicas] = ctx.apis;
  const full = fqdn(e.name, e.zone);
  const zones = [e.zone, ...(e.ptr ? [e.ptr.reverseZone] : [])];

  const primarySerial = await progress.step(`SOA serial of ${e.zone} on ${primary.name}`, async (s) => {
    const [api, dns] = await Promise.all([serialOf(primary, e.zone), dnsSerialOf(ctx, primary.name, e.zone).catch(() => null)]);
    s.done(api !== null && api === dns ? "ok" : "warning", `API ${api ?? "?"}, over DNS ${dns ?? "?"}`);
    return api ?? undefined;
  });

  const down = new Map<string, string>();
  await Promise.all(
    replicas.map((r) =>
      progress
        .step(`${r.name}: resync ${zones.join(" and ")}`, async (s) => {
          for (const z of zones) await r.resyncZone(z);
          s.done("ok", "asked for a full transfer from the primary");
        })
        .catch((err) => void down.set(r.name, errMsg(err))),
    ),
  );

  const items: InstanceProof[] = [];
  await Promise.all(
    ctx.apis.map(async (api) => {
      const s = progress.begin(`${api.name}: ${full} ${e.type} over DNS`);
      const item: InstanceProof = { instance: api.name, item: `${full} ${e.type}`, outcome: "failed" };
      if (down.has(api.name)) {
        item.message = `not reached: ${down.get(api.name)}`;
        s.done("failed", item.message);
        items.push(item);
        return;
      }
      let last = "not asked yet";
      for (;;) {
        try {
          const got = await answersAt(ctx, api.name, full, e.type);
          const ptrGot = e.ptr ? await answersAt(ctx, api.name, e.ptr.name, "PTR") : null;
          item.answers = got;
          const serial = api === primary ? primarySerial : await serialOf(api, e.zone).catch(() => null);
          const behind = primarySerial !== undefined && serial !== null && serial !== undefined && serial < primarySerial;
          last = agrees(e, got, ptrGot) ?? (behind ? `serial ${serial} is behind the primary's ${primarySerial}` : "");
          item.serialApi = serial ?? null;
          if (!last) break;
        } catch (err) {
          last = errMsg(err);
        }
        if (Date.now() + pollMs > deadline) break;
        s.note(last);
        await new Promise((r) => setTimeout(r, pollMs));
      }
      item.serialDns = await dnsSerialOf(ctx, api.name, e.zone).catch(() => null);
      if (!last) {
        item.outcome = "in-step";
        item.message = `answers ${item.answers?.join(", ") || "nothing (removed)"} · serial ${item.serialDns ?? item.serialApi ?? "?"}`;
        s.done("ok", item.message);
      } else {
        item.message = `no agreement before the deadline: ${last}`;
        s.done("failed", item.message);
      }
      items.push(item);
    }),
  );
  const order = ctx.apis.map((a) => a.name);
  items.sort((a, b) => order.indexOf(a.instance) - order.indexOf(b.instance));
  const bad = items.filter((i) => i.outcome !== "in-step");
  if (bad.length === 0) {
    const summary = `${full} ${e.type} answered the same by all ${items.length} instances (serial ${primarySerial ?? "?"})`;
    if (!opts.paths) return { status: "ok", summary, items, primarySerial };
    if ("error" in opts.paths) {
      progress.begin(`client paths: ${full} ${e.type}`).done("warning", `not traced: ${opts.paths.error}`);
      return { status: "ok", summary: `${summary}; client paths not traced`, items, primarySerial };
    }
    // the paths get the time left, and at least the caches' usual 30 s to let an old answer go
    const paths = await provePaths(e, full, opts.paths.kind, progress, { trace: opts.paths.trace, deadline: Math.max(deadline, Date.now() + 5000), pollMs: Math.max(pollMs, 1000) });
    const wrong = paths.filter((p) => p.outcome === "disagrees");
    const cached = paths.filter((p) => p.outcome === "cached");
    if (wrong.length)
      return {
        status: "partial",
        summary: `${summary}, but clients do not get it yet`,
        error: `${wrong.map((p) => `${p.clientClass}: ${p.message}`).join("; ")}. Trace the name on Resolution paths to see the hop.`,
        items,
        primarySerial,
        paths,
      };
    const tail = cached.length ? `; ${cached.map((p) => `${p.clientClass}: ${p.message}`).join("; ")}` : paths.length ? "; every client path answers it" : "";
    return { status: "ok", summary: `${summary}${tail}`, items, primarySerial, paths };
  }
  const names = bad.map((b) => b.instance).join(", ");
  return {
    status: "partial",
    summary: `the change is on ${primary.name}; not yet on ${names}`,
    error: bad.map((b) => `${b.instance}: ${b.message}`).join("; ") + ". The next zone sync (or a Technitium refresh) completes it.",
    items,
    primarySerial,
  };
}

export { reverseName };
