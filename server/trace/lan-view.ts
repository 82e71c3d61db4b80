/**
 * The honest LAN view of a trace. dnsdeck runs in the cluster: every query it sends comes from a cluster address, and
 * Technitium's Split Horizon and rebinding protection match the packet's source address (EDNS Client Subnet is never
 * read), so no query of dnsdeck's shows what a 192.168.1.x client gets. Per Technitium instance this puts side by
 * side: (a) what the instance answered dnsdeck (the trace's own hop), (b) what a LAN client gets, computed from the
 * instance's live Split Horizon and DNS Rebinding Protection configs, and (c) the answers the query log recorded for
 * LAN clients recently — flagging an instance whose real answers disagree with (b). Pure; inputs are gathered by
 * trace.ts.
 */
import { clientView, type RebindingApp, type SplitHorizonApp } from "@/server/technitium/client-view";
import type { HopResult } from "./run";

export interface LanInstanceInput {
  instance: string;
  /** dnsServerDomain: the `server` column of the instance's query-log rows. */
  server?: string;
  splitHorizon: SplitHorizonApp | null;
  rebinding: RebindingApp | null;
  configError?: string;
}

export interface LanEvidenceInput {
  since: string;
  servers: { server: string; answers: { answer: string; rcode: number; count: number; last: string }[] }[];
}

export interface LanInstanceView {
  instance: string;
  server?: string;
  /** (a) as dnsdeck sees it from its cluster address */
  dnsdeckGets: { rcode: string | null; answers: string[]; error?: string };
  /** (b) computed for a client in the LAN network */
  lanGets: { rcode: string; answers: string[]; steps: string[] } | { error: string };
  /** (c) answers recorded for LAN clients (null: no query log, or nothing recorded) */
  logged: { answer: string; count: number; last: string }[] | null;
  verdict: "agrees" | "disagrees" | "no-evidence" | "unknown";
  note?: string;
}

export interface LanView {
  network: string;
  /** the representative client address (b) is computed for */
  client: string;
  instances: LanInstanceView[];
  evidenceSince?: string;
  evidenceError?: string;
}

const key = (type: string, data: string) => `${type.toUpperCase()} ${data.toLowerCase().replace(/\.$/, "")}`;
/** "CNAME x.y., A 1.2.3.4" (the query-log app's encoding) → comparable keys. */
const loggedKeys = (answer: string) =>
  answer
    .split(", ")
    .map((a) => a.trim())
    .filter((a) => a && !a.startsWith("["))
    .map((a) => {
      const [t, ...rest] = a.split(" ");
      return key(t, rest.join(" "));
    })
    .sort();
const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** First host of an IPv4 network ("192.168.1.0/24" → "192.168.1.1"). */
export function representativeClient(network: string): string {
  const [addr] = network.split("/");
  const o = addr.split(".").map(Number);
  if (o.length !== 4 || o.some((x) => !Number.isInteger(x))) return addr;
  o[3] = Math.min(254, o[3] + 1);
  return o.join(".");
}

export function buildLanView(o: {
  name: string;
  type: string;
  network: string;
  authoritative: boolean;
  /** the trace's Technitium hops, by instance */
  hops: { instance: string; hop: HopResult }[];
  reference: HopResult | undefined;
  instances: LanInstanceInput[];
  evidence: LanEvidenceInput | { error: string };
}): LanView {
  const client = representativeClient(o.network);
  const ev = "error" in o.evidence ? undefined : o.evidence;
  const views = o.instances.map((inst): LanInstanceView => {
    const hop = o.hops.find((h) => h.instance === inst.instance)?.hop;
    const dnsdeckGets = hop ? { rcode: hop.rcode, answers: hop.answers.map((a) => key(a.type, a.data)), ...(hop.error ? { error: hop.error } : {}) } : { rcode: null, answers: [], error: "not asked (no pod IP)" };
    const basis = hop && !hop.error ? hop : o.reference && !o.reference.error ? o.reference : undefined;
    let lanGets: LanInstanceView["lanGets"];
    if (inst.configError) lanGets = { error: `cannot read the instance's app configs: ${inst.configError}` };
    else if (!basis) lanGets = { error: "no answer to start from (the instance and the reference did not answer)" };
    else {
      const v = clientView({ qname: o.name, qtype: o.type, rcode: basis.rcode ?? "SERVFAIL", answers: basis.answers.map((a) => ({ type: a.type, data: a.data })), authoritative: o.authoritative, client, splitHorizon: inst.splitHorizon, rebinding: inst.rebinding });
      lanGets = { rcode: v.rcode, answers: v.answers.map((a) => key(a.type, a.data)).sort(), steps: v.steps };
    }
    const rows = inst.server ? ev?.servers.find((s) => s.server === inst.server)?.answers : undefined;
    const logged = rows?.length ? rows.map((r) => ({ answer: r.answer, count: r.count, last: r.last })) : null;
    let verdict: LanInstanceView["verdict"] = "unknown";
    let note: string | undefined;
    if ("error" in lanGets) verdict = "unknown";
    else if (!logged) verdict = "no-evidence";
    else {
      const want = lanGets.answers;
      const wrong = rows!.filter((r) => r.rcode === 0 && !same(loggedKeys(r.answer), want));
      verdict = wrong.length ? "disagrees" : "agrees";
      if (wrong.length) note = `the query log shows ${wrong.map((w) => `"${w.answer || "(no records)"}" ×${w.count}`).join(", ")} for LAN clients, but its live config gives ${want.join(", ") || "(no records)"}`;
    }
    return { instance: inst.instance, server: inst.server, dnsdeckGets, lanGets, logged, verdict, note };
  });
  return { network: o.network, client, instances: views, evidenceSince: ev?.since, evidenceError: "error" in o.evidence ? o.evidence.error : undefined };
}
