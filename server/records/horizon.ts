/**
 * Split Horizon kept honest (pure). The homelab's non-proxied public names resolve, on the Internet, to its public IP;
 * Technitium's Split Horizon translates that IP to Traefik's LAN address for 192.168.1.0/24 clients (the TP-Link AP
 * has no hairpin NAT), and DNS Rebinding Protection must list the public domain in `privateDomains` or it strips the
 * translated private address again. From each name's public answer and each instance's live app configs this computes
 * what a LAN client gets (server/technitium/client-view.ts, the same model the trace uses) and names what is wrong:
 * - `not-translated`: the LAN still gets the public IP from an instance (hairpin NAT fails);
 * - `stripped`: translated, then removed by rebinding protection (the LAN gets no address);
 * - `ip-changed`: the public IP the names resolve to is not one the desired config translates (the ISP changed it).
 * Each problem says its fix: a Split Horizon sync when the desired config (stack config) already gives the right
 * answer and the instance runs something else, else the change to make in the stack config, then the sync.
 */
import { parseCidr, parseIp } from "@/k8s/net";
import { bare } from "@/k8s/records";
import { representativeClient } from "@/server/trace/lan-view";
import { clientView, type RebindingApp, type SplitHorizonApp } from "@/server/technitium/client-view";

export interface PublicAnswer {
  name: string;
  rcode?: string;
  answers: { type: string; data: string }[];
  error?: string;
}

export interface InstanceApps {
  instance: string;
  splitHorizon: SplitHorizonApp | null;
  rebinding: RebindingApp | null;
  error?: string;
}

/** What the stack-config fix changes (server/records/horizon-fix.ts makes it, then runs the sync). */
export interface HorizonConfigChange {
  translation?: { external: string; internal: string; replace?: string };
  privateDomain?: string;
}

export type HorizonFix = { kind: "split-horizon-sync"; label: string } | { kind: "stack-config"; label: string; field: string; suggestion: string; change: HorizonConfigChange };

export interface HorizonProblem {
  kind: "not-translated" | "stripped" | "ip-changed" | "config-unreadable";
  instance?: string;
  names: string[];
  detail: string;
  fix?: HorizonFix;
}

export interface HorizonName {
  name: string;
  kind: "non-proxied" | "proxied" | "private" | "unresolved";
  /** The public A records (or the error / rcode). */
  publicAnswer: string[];
  note?: string;
  /** What a LAN client gets from each instance (non-proxied names only). */
  lan?: Record<string, { answers: string[]; ok: boolean; steps: string[] }>;
}

export interface HorizonReport {
  checkedAt: string;
  lanNetwork: string;
  client: string;
  /** Where the checked names came from. */
  source: string;
  /** The stack config revision the desired configs come from (null: defaults); a fix is refused if it changed. */
  configRevision: number | null;
  /** The addresses the non-proxied names resolve to on the Internet. */
  publicIps: string[];
  /** The translation's external addresses per instance (for the LAN's group), and in the desired config. */
  translated: Record<string, string[]>;
  desiredTranslated: string[];
  names: HorizonName[];
  problems: HorizonProblem[];
  verdict: "ok" | "problems" | "unknown";
}

const PRIVATE_RANGES = new Set(["private", "loopback", "linkLocal", "uniqueLocal", "carrierGradeNat", "unspecified"]);
export const isPrivateAddress = (ip: string) => {
  const p = parseIp(ip);
  return !p || PRIVATE_RANGES.has(p.range());
};

/** The Split Horizon group `client` falls in by networkGroupMap (longest prefix), if any. */
export function lanGroupName(networkGroupMap: Record<string, string> | undefined, client: string): string | undefined {
  const ip = parseIp(client);
  const nets = Object.entries(networkGroupMap ?? {})
    .map(([net, group]) => ({ c: parseCidr(net), group }))
    .filter((x) => x.c && ip && x.c[0].kind() === ip.kind() && ip.match(x.c as never))
    .sort((a, b) => b.c![1] - a.c![1]);
  return nets[0]?.group;
}

/** The external addresses translated for `client`: the enabled group its network maps it to. */
function translatedFor(cfg: SplitHorizonApp | null, client: string): string[] {
  if (!cfg?.enableAddressTranslation) return [];
  const name = lanGroupName(cfg.networkGroupMap, client);
  const group = cfg.groups?.find((g) => g.name === name);
  if (!group || group.enabled === false) return [];
  return Object.keys(group.externalToInternalTranslation ?? {}).map((ext) => ext.replace(/\/32$/, ""));
}

const lanGets = (name: string, publicA: { type: string; data: string }[], client: string, sh: SplitHorizonApp | null, rb: RebindingApp | null) =>
  clientView({ qname: name, qtype: "A", rcode: "NOERROR", answers: publicA, authoritative: false, client, splitHorizon: sh, rebinding: rb });

export function checkHorizon(i: { names: PublicAnswer[]; instances: InstanceApps[]; desired: { splitHorizon: SplitHorizonApp; rebinding: RebindingApp }; lanNetwork: string; source: string; configRevision?: number | null; now?: Date }): HorizonReport {
  const client = representativeClient(i.lanNetwork);
  const problems: HorizonProblem[] = [];
  const names: HorizonName[] = [];
  const publicIps = new Set<string>();
  const bad = new Map<string, { kind: "not-translated" | "stripped"; instance: string; names: string[]; viaSync: boolean; ips: Set<string>; domain?: string }>();

  for (const inst of i.instances.filter((x) => x.error)) problems.push({ kind: "config-unreadable", instance: inst.instance, names: [], detail: `${inst.instance}: its Split Horizon / rebinding configs cannot be read (${inst.error}), so what LAN clients get from it is unknown.` });

  for (const n of i.names) {
    const name = bare(n.name);
    if (n.error || (n.rcode && n.rcode !== "NOERROR")) {
      names.push({ name, kind: "unresolved", publicAnswer: [], note: n.error ?? n.rcode });
      continue;
    }
    const cname = n.answers.find((a) => a.type === "CNAME");
    const as = n.answers.filter((a) => a.type === "A");
    if (cname) {
      names.push({ name, kind: "proxied", publicAnswer: [`CNAME ${bare(cname.data)}`], note: "proxied through Cloudflare's tunnel: nothing to translate" });
      continue;
    }
    if (!as.length) {
      names.push({ name, kind: "unresolved", publicAnswer: [], note: "no A record on the Internet" });
      continue;
    }
    const pub = as.filter((a) => !isPrivateAddress(a.data));
    if (!pub.length) {
      names.push({ name, kind: "private", publicAnswer: as.map((a) => a.data), note: "answers a private address publicly: nothing to translate" });
      continue;
    }
    for (const a of pub) publicIps.add(a.data);
    const want = lanGets(name, as, client, i.desired.splitHorizon, i.desired.rebinding);
    const desiredOk = want.answers.length > 0 && want.answers.every((a) => isPrivateAddress(a.data));
    const lan: NonNullable<HorizonName["lan"]> = {};
    for (const inst of i.instances.filter((x) => !x.error)) {
      const got = lanGets(name, as, client, inst.splitHorizon, inst.rebinding);
      const answers = got.answers.map((a) => a.data);
      const leaked = answers.filter((a) => !isPrivateAddress(a));
      const ok = answers.length > 0 && !leaked.length;
      lan[inst.instance] = { answers, ok, steps: got.steps };
      if (ok) continue;
      const kind = leaked.length ? "not-translated" : "stripped";
      const key = `${inst.instance}|${kind}`;
      const entry = bad.get(key) ?? { kind, instance: inst.instance, names: [], viaSync: true, ips: new Set<string>() };
      entry.names.push(name);
      entry.viaSync &&= desiredOk;
      for (const ip of leaked) entry.ips.add(ip);
      if (kind === "stripped") entry.domain ??= name.split(".").slice(-2).join(".");
      bad.set(key, entry);
    }
    names.push({ name, kind: "non-proxied", publicAnswer: pub.map((a) => a.data), lan });
  }

  const desiredTranslated = translatedFor(i.desired.splitHorizon, client);
  const lanTarget = Object.values(i.desired.splitHorizon.groups?.find((g) => g.enabled !== false && Object.keys(g.externalToInternalTranslation ?? {}).length)?.externalToInternalTranslation ?? {})[0]?.split("/")[0];
  const changed = [...publicIps].filter((ip) => !desiredTranslated.includes(ip));
  if (changed.length) {
    const affected = names.filter((n) => n.kind === "non-proxied" && n.publicAnswer.some((a) => changed.includes(a))).map((n) => n.name);
    const from = desiredTranslated[0];
    problems.push({
      kind: "ip-changed",
      names: affected,
      detail: `${affected.length} non-proxied name${affected.length === 1 ? "" : "s"} (${affected.slice(0, 5).join(", ")}${affected.length > 5 ? ", …" : ""}) now resolve${affected.length === 1 ? "s" : ""} to ${changed.join(", ")} on the Internet, but the Split Horizon translation maps ${desiredTranslated.join(", ") || "nothing"}: the public IP has changed (ISP), so LAN clients get the public address and hairpin NAT fails.`,
      fix: {
        kind: "stack-config",
        label: "Change the translation in the stack config, then run Split Horizon sync",
        field: "technitium.splitHorizon.groups[].externalToInternalTranslation",
        suggestion: JSON.stringify(Object.fromEntries(changed.map((ip) => [ip, lanTarget ?? "10.0.20.200"]))) + (from ? ` (replacing "${from}")` : ""),
        change: { translation: { external: changed[0], internal: lanTarget ?? "10.0.20.200", ...(from && desiredTranslated.length === 1 ? { replace: from } : {}) } },
      },
    });
  }
  for (const b of bad.values()) {
    if (b.kind === "not-translated" && !b.viaSync && changed.length) continue; // said once above, with the config fix
    const list = `${b.names.slice(0, 5).join(", ")}${b.names.length > 5 ? `, and ${b.names.length - 5} more` : ""}`;
    const detail =
      b.kind === "not-translated"
        ? `${b.instance} answers LAN clients the public address ${[...b.ips].join(", ")} for ${list}: its Split Horizon translation does not map it, so hairpin NAT fails for them.`
        : `${b.instance} translates ${list} and then its rebinding protection removes the private answer: ${b.domain ?? "the domain"} is not in its privateDomains, so LAN clients get no address.`;
    problems.push({
      kind: b.kind,
      instance: b.instance,
      names: b.names,
      detail,
      fix: b.viaSync
        ? { kind: "split-horizon-sync", label: `Run Split Horizon sync (the stack config already gives LAN clients the right answer; ${b.instance} runs something else)` }
        : b.kind === "stripped"
          ? { kind: "stack-config", label: "Add the domain to rebinding protection's privateDomains in the stack config, then run Split Horizon sync", field: "technitium.rebindingProtection.privateDomains", suggestion: JSON.stringify(b.domain), change: { privateDomain: b.domain } }
          : { kind: "stack-config", label: "Map the public address in the stack config's translation, then run Split Horizon sync", field: "technitium.splitHorizon.groups[].externalToInternalTranslation", suggestion: JSON.stringify(Object.fromEntries([...b.ips].map((ip) => [ip, lanTarget ?? "10.0.20.200"]))), change: { translation: { external: [...b.ips][0], internal: lanTarget ?? "10.0.20.200" } } },
    });
  }
  const translated = Object.fromEntries(i.instances.filter((x) => !x.error).map((x) => [x.instance, translatedFor(x.splitHorizon, client)]));
  const checked = names.filter((n) => n.kind === "non-proxied").length;
  const verdict = problems.some((p) => p.kind !== "config-unreadable") ? "problems" : checked === 0 || problems.length ? "unknown" : "ok";
  return { checkedAt: (i.now ?? new Date()).toISOString(), lanNetwork: i.lanNetwork, client, source: i.source, configRevision: i.configRevision ?? null, publicIps: [...publicIps], translated, desiredTranslated, names, problems, verdict };
}
