/**
 * Runs a trace plan: every hop in path order over real DNS, each bounded by its own timeout, so one silent hop costs
 * at most `timeoutMs` and the trace goes on. Then compares each hop with the authoritative answer (the plan's
 * reference hop; Split Horizon translated for LAN clients) to find where the answer first goes wrong.
 * The DNS `query` is injected (server/dns in the app, anything in tests).
 */
import type { QueryOptions, QueryResult } from "@/server/dns";
import type { PlannedHop, TracePlan } from "./plan";
import type { LanView } from "./lan-view";
import { type Outcome, outcomeOf } from "./outcome";

export type QueryFn = (opts: QueryOptions) => Promise<QueryResult>;

export interface HopAnswer {
  name: string;
  type: string;
  ttl: number;
  data: string;
}

export interface HopResult {
  hop: string;
  stage: string;
  server: string;
  via?: string;
  rcode: string | null;
  answers: HopAnswer[];
  ttl: number | null;
  latencyMs: number | null;
  /** TTL below the authoritative TTL: the answer came from a cache on the way. Null when unknown. */
  cached: boolean | null;
  error: string | null;
  /** "timeout" | "unreachable" | … | "skipped" when not sent. */
  errorKind?: string;
  /** What the reply means (server/trace/outcome.ts): answer, nodata, nxdomain, refused, badvers, timeout, … */
  outcome: Outcome;
  outcomeText: string;
  /** Recursion available, as the hop said. */
  ra?: boolean;
  transport?: string;
  /** Answer equals the expected (authoritative) one; null when there is nothing to compare against. */
  matches: boolean | null;
  reference?: boolean;
}

export interface BadHop {
  index: number;
  hop: string;
  reason: string;
}

export interface TraceResult {
  name: string;
  type: string;
  clientClass: string;
  node?: string;
  kind: "internal" | "public";
  hops: HopResult[];
  expected: { rcode: string; answers: string[]; ttl: number | null } | null;
  firstBadHop?: { index: number; hop: string; reason: string };
  /**
   * The root cause: a wrong hop whose own upstreams (the next stage that was asked) answer — the deepest such hop
   * that the other wrong hops depend on. Wrong hops whose upstreams are all wrong too are its symptoms; a wrong hop
   * that is a root of its own (e.g. a stale replica beside a healthy one) is listed under `also`.
   */
  rootCause?: { index: number; hop: string; reason: string; symptoms: BadHop[]; also: BadHop[] };
  /**
   * LAN clients only: what the instances answer dnsdeck (the hops above), what a LAN client gets from each instance
   * computed from its live Split Horizon and rebinding config, and the answers the query log shows for LAN clients.
   */
  lan?: LanView;
  durationMs: number;
}

export interface RunOptions {
  query: QueryFn;
  type?: string;
  timeoutMs?: number;
  /** Decides whether a hop may be sent (e.g. refuse real addresses when a twin address map is in use). */
  mayQuery?: (hop: PlannedHop) => string | null;
}

export async function runTrace(plan: TracePlan, opts: RunOptions): Promise<TraceResult> {
  const started = performance.now();
  const type = opts.type ?? "A";
  const timeoutMs = opts.timeoutMs ?? 1500;
  const hops: HopResult[] = [];
  for (const [i, h] of plan.hops.entries()) {
    const base = { hop: h.hop, stage: h.stage, server: h.server, via: h.via, reference: i === plan.reference || undefined };
    const refusal = h.skip ?? opts.mayQuery?.(h) ?? null;
    if (refusal) {
      hops.push({ ...base, rcode: null, answers: [], ttl: null, latencyMs: null, cached: null, error: `not sent: ${refusal}`, errorKind: "skipped", matches: null, ...named(outcomeOf({ rcode: null, answers: 0, errorKind: "skipped" })) });
      continue;
    }
    const t0 = performance.now();
    try {
      const r = await opts.query({ name: plan.name, type, server: h.server, via: h.via, timeoutMs });
      const answers = r.answers.map((a) => ({ name: a.name, type: a.type, ttl: a.ttl, data: String(a.data) }));
      const o = outcomeOf({ rcode: r.rcode, answers: answers.length, ra: r.flags.ra, transport: r.transport });
      hops.push({ ...base, rcode: r.rcode, answers, ttl: answers.length ? Math.min(...answers.map((a) => a.ttl)) : null, latencyMs: r.latencyMs, cached: null, error: null, transport: r.transport, matches: null, ra: r.flags.ra, ...named(o) });
    } catch (err) {
      const e = err as { kind?: string; message?: string };
      hops.push({ ...base, rcode: null, answers: [], ttl: null, latencyMs: Math.round(performance.now() - t0), cached: null, error: e.message ?? String(err), errorKind: e.kind ?? "error", matches: null, ...named(outcomeOf({ rcode: null, answers: 0, errorKind: e.kind ?? "error", timeoutMs })) });
    }
  }

  const ref = hops[plan.reference];
  const expectedRaw = ref && !ref.error ? { rcode: ref.rcode!, answers: answerKeys(ref.answers), ttl: ref.ttl } : null;
  const bad: BadHop[] = [];
  hops.forEach((h, i) => {
    if (expectedRaw && !h.error) {
      h.matches = h.rcode === expectedRaw.rcode && same(answerKeys(h.answers), expectedRaw.answers);
      h.cached = h.reference || h.ttl === null || expectedRaw.ttl === null ? (h.reference ? false : null) : h.ttl < expectedRaw.ttl;
    }
    if (h.errorKind === "skipped") return;
    if (h.error) bad.push({ index: i, hop: h.hop, reason: h.errorKind === "timeout" ? `no answer within ${timeoutMs} ms` : h.error });
    else if (h.matches === false)
      bad.push({ index: i, hop: h.hop, reason: `answered ${h.rcode} ${answerKeys(h.answers).join(", ") || "(no records)"}${h.outcome === "answer" ? "" : ` — ${h.outcomeText}`}; expected ${expectedRaw!.rcode} ${expectedRaw!.answers.join(", ") || "(no records)"}` });
  });
  const firstBadHop: TraceResult["firstBadHop"] = bad[0];
  return {
    name: plan.name,
    type,
    clientClass: plan.clientClass,
    node: plan.node,
    kind: plan.kind,
    hops,
    expected: expectedRaw && { rcode: expectedRaw.rcode, answers: expectedRaw.answers, ttl: expectedRaw.ttl },
    firstBadHop,
    rootCause: rootCause(hops, bad),
    durationMs: Math.round(performance.now() - started),
  };
}

/**
 * Roots and symptoms along the path: hops are grouped by stage in path order (the appended reference hop is not on
 * the path). A wrong hop whose next asked stage has a hop that answers correctly (or that has no stage after it) is a
 * root; one whose next stage is wrong throughout is a symptom of the nearest root beyond it. The headline root is
 * the one with the most symptoms (the deepest on a tie).
 */
export function rootCause(hops: HopResult[], bad: BadHop[]): TraceResult["rootCause"] {
  if (!bad.length) return undefined;
  const stages: string[] = [];
  for (const h of hops) if (h.stage !== "reference" && !stages.includes(h.stage)) stages.push(h.stage);
  const stageOf = (i: number) => (hops[i].stage === "reference" ? stages.length : stages.indexOf(hops[i].stage));
  const isBad = new Set(bad.map((b) => b.index));
  const asked = (k: number) => hops.map((h, i) => ({ h, i })).filter(({ h }) => h.stage === stages[k] && h.errorKind !== "skipped");
  const answers = (k: number) => asked(k).some(({ i }) => !isBad.has(i));
  const nextAsked = (k: number) => {
    for (let j = k + 1; j < stages.length; j++) if (asked(j).length) return j;
    return undefined;
  };
  const roots: BadHop[] = [];
  const symptoms: BadHop[] = [];
  for (const b of bad) {
    const k = stageOf(b.index);
    const next = k < stages.length ? nextAsked(k) : undefined;
    (next === undefined || answers(next) ? roots : symptoms).push(b);
  }
  if (!roots.length) return undefined;
  const of = new Map<BadHop, BadHop[]>(roots.map((r) => [r, []]));
  for (const s of symptoms) {
    const beyond = roots.filter((r) => stageOf(r.index) > stageOf(s.index)).sort((a, b) => stageOf(a.index) - stageOf(b.index))[0];
    if (beyond) of.get(beyond)!.push(s);
  }
  const head = [...roots].sort((a, b) => of.get(b)!.length - of.get(a)!.length || stageOf(b.index) - stageOf(a.index) || a.index - b.index)[0];
  const explained = new Set([head, ...of.get(head)!]);
  return { ...head, symptoms: of.get(head)!, also: bad.filter((b) => !explained.has(b)) };
}

const named = (o: { outcome: Outcome; text: string }) => ({ outcome: o.outcome, outcomeText: o.text });

/** Comparable form of an answer section: "TYPE data", lower-cased, no trailing dot, sorted. TTLs are ignored. */
export function answerKeys(answers: HopAnswer[]): string[] {
  return answers.map((a) => `${a.type.toUpperCase()} ${a.data.toLowerCase().replace(/\.$/, "")}`).sort();
}

const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
