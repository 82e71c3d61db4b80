import { canonicalValue, type RecordType } from "@/k8s/records";
import type { Progress } from "@/server/sync/progress";
import type { TraceResult } from "@/server/trace/run";
import type { TraceInput } from "@/server/trace/schemas";
import type { Expectation } from "./proof";

/**
 * The proof through the paths clients really take (issue 13): after the instances agree, the name is traced as a pod
 * asks it (NodeLocal on a node, then CoreDNS, then Technitium) and as a LAN client's resolvers ask it, hop by hop,
 * until every hop answers the new value or the deadline passes. A hop still answering the old value from its cache is
 * not a failure — caches are the design — but the step says which hop and for at most how many seconds more (the TTL
 * it answered with). A hop that answers something else with no cache to blame is a disagreement, named.
 */

/** The types the tracer asks (server/trace/schemas.ts); other changes (PTR, SRV, NS) are proven at the instances only. */
const TRACEABLE = new Set(["A", "AAAA", "CNAME", "TXT", "MX"]);

export interface PathHopProof {
  hop: string;
  outcome: "agrees" | "cached" | "disagrees" | "not-asked";
  answers: string[];
  message: string;
  /** For a cached old answer: the most seconds it can still be served. */
  expiresInS?: number;
}

export interface PathProof {
  clientClass: string;
  node?: string;
  outcome: "agrees" | "cached" | "disagrees" | "not-checked";
  hops: PathHopProof[];
  message: string;
}

export type TraceFn = (input: TraceInput) => Promise<TraceResult>;

function judgeHop(e: Expectation, h: TraceResult["hops"][number]): PathHopProof {
  if (h.outcome === "skipped") return { hop: h.hop, outcome: "not-asked", answers: [], message: h.outcomeText || h.error || "not asked" };
  const answers = h.answers.filter((a) => a.type === e.type).map((a) => canonicalValue(e.type as RecordType, a.data) ?? a.data);
  const missing = e.present.filter((v) => !answers.includes(v));
  const stale = e.absent.filter((v) => answers.includes(v));
  if (!missing.length && !stale.length) return { hop: h.hop, outcome: "agrees", answers, message: `answers ${answers.join(", ") || "nothing (removed)"}` };
  const what = stale.length ? `still answers ${stale.join(", ")}` : `answers ${answers.join(", ") || h.outcomeText || "nothing"}, not ${missing.join(", ")}`;
  const ttl = h.ttl ?? Math.max(0, ...h.answers.map((a) => a.ttl));
  // an answer that came from a cache on the way, or a negative answer cached for its SOA minimum: it expires by itself
  if (h.cached || (ttl > 0 && (stale.length > 0 || h.outcome === "nxdomain" || h.outcome === "nodata")))
    return { hop: h.hop, outcome: "cached", answers, expiresInS: ttl, message: `${what} from its cache, for at most ${ttl} s more` };
  return { hop: h.hop, outcome: "disagrees", answers, message: what };
}

function summarize(p: Omit<PathProof, "outcome" | "message">): PathProof {
  const asked = p.hops.filter((h) => h.outcome !== "not-asked");
  const bad = asked.filter((h) => h.outcome === "disagrees");
  const cached = asked.filter((h) => h.outcome === "cached");
  if (!asked.length) return { ...p, outcome: "not-checked", message: p.hops[0]?.message ?? "no hop could be asked" };
  if (bad.length) return { ...p, outcome: "disagrees", message: bad.map((h) => `${h.hop} ${h.message}`).join("; ") };
  if (cached.length) return { ...p, outcome: "cached", message: `every hop agrees but ${cached.map((h) => `${h.hop}, which ${h.message}`).join("; ")}` };
  return { ...p, outcome: "agrees", message: `${asked.map((h) => h.hop).join(", ")}: all answer ${asked[0].answers.join(", ") || "nothing (removed)"}` };
}

/** Trace the changed name for each client class until every path agrees (or only caches hold the old answer). */
export async function provePaths(e: Expectation, fullName: string, kind: "internal" | "public", progress: Progress, o: { trace: TraceFn; deadline: number; pollMs: number }): Promise<PathProof[]> {
  if (!TRACEABLE.has(e.type)) return [];
  const classes = kind === "internal" ? ["pod-internal", "lan"] : ["pod-public", "lan"];
  const out: PathProof[] = [];
  for (const clientClass of classes) {
    const title = clientClass === "lan" ? "LAN client path" : "pod path";
    const s = progress.begin(`${title}: ${fullName} ${e.type}`);
    let proof: PathProof | null = null;
    for (;;) {
      try {
        const t = await o.trace({ name: fullName, clientClass: clientClass as TraceInput["clientClass"], type: e.type as TraceInput["type"] });
        const hops = t.hops.filter((h) => h.stage !== "reference").map((h) => judgeHop(e, h));
        proof = summarize({ clientClass, node: t.node, hops });
      } catch (err) {
        proof = { clientClass, outcome: "not-checked", hops: [], message: `not traced: ${err instanceof Error ? err.message : String(err)}` };
        break;
      }
      if (proof.outcome === "agrees" || proof.outcome === "not-checked" || Date.now() + o.pollMs > o.deadline) break;
      s.note(proof.message);
      await new Promise((r) => setTimeout(r, o.pollMs));
    }
    const where = proof.node ? ` (from ${proof.node})` : "";
    s.done(proof.outcome === "agrees" ? "ok" : proof.outcome === "disagrees" ? "failed" : "warning", `${proof.message}${where}`);
    out.push(proof);
  }
  return out;
}
