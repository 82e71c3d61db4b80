/**
 * The records consistency report (pure): what the primary's zones say about each other and what the replicas hold.
 * - `a-without-ptr`: an A/AAAA whose address falls in a reverse zone the primary hosts, with no PTR there at all;
 * - `ptr-without-a`: a PTR naming a host, in a zone the primary hosts, that has no A/AAAA at all;
 * - `ptr-other-host`: a PTR naming a host whose addresses do not include the PTR's address;
 * - `cname-dangling`: a CNAME whose chain ends, inside the zones the primary hosts, at a name with no records (or loops);
 * - `instance-differs`: a replica's copy of a zone that differs from the primary's — at the same serial (it will not
 *   heal by itself), behind (the next zone sync brings it), or missing.
 * Names outside the hosted zones are not judged (dnsdeck cannot know them). Several names sharing one address with one
 * PTR between them is normal and not reported. A finding carries a one-click fix only where the fix is safe: adding
 * the missing PTR, deleting a PTR whose host is gone, pointing a PTR at the one host that has its address, a zone sync.
 */
import { addressOfReverseName, bare, closestZone, relativeName, reverseName } from "@/k8s/records";
import { OWNER_WARNING, type Owner } from "./model";

export interface CheckedRecord {
  /** Fully qualified, lower case, no trailing dot. */
  name: string;
  type: string;
  /** Zone-file presentation (PTR/CNAME targets end with a dot). */
  value: string;
  owner: Owner;
  disabled?: boolean;
}

export interface PrimaryZone {
  name: string;
  serial?: number;
  records: CheckedRecord[];
}

export interface ReplicaCopy {
  instance: string;
  /** null: the instance did not answer (said in `error`). */
  zones: { name: string; serial?: number; type?: string; keys: string[] }[] | null;
  error?: string;
}

export type FindingKind = "a-without-ptr" | "ptr-without-a" | "ptr-other-host" | "cname-dangling" | "instance-differs";

/** A change the page can make with one click (through the record-change verb or the zone sync). */
export type Fix =
  | { kind: "record"; label: string; op: "add" | "update" | "delete"; zone: string; name: string; type: "PTR"; value: string; current?: string }
  | { kind: "zone-sync"; label: string };

export interface Finding {
  kind: FindingKind;
  /** warn: something a client gets wrong; info: it heals by itself (a replica behind). */
  severity: "warn" | "info";
  zone: string;
  /** Fully qualified. */
  name: string;
  type?: string;
  value?: string;
  instance?: string;
  owner?: Owner;
  detail: string;
  fix?: Fix;
}

export interface ConsistencyReport {
  checkedAt: string;
  zones: string[];
  records: number;
  findings: Finding[];
  counts: Record<FindingKind, number>;
  /** Instances that could not be read (their copies are not compared). */
  unreadable: { instance: string; error: string }[];
}

const ADDRESS = new Set(["A", "AAAA"]);
const isReverse = (zone: string) => /\.(in-addr|ip6)\.arpa$/.test(bare(zone));
const host = (value: string) => bare(value);
/** The key a copy is compared by: name, type and value (SOA excluded: its serial is compared on its own). */
export const copyKey = (r: { name: string; type: string; value: string }) => `${bare(r.name)}|${r.type}|${r.value.toLowerCase()}`;

function ownerNote(owner: Owner): string {
  return OWNER_WARNING[owner] ? ` It is written by ${owner}: ${OWNER_WARNING[owner]}` : "";
}

export function checkConsistency(primary: PrimaryZone[], replicas: ReplicaCopy[], now = new Date()): ConsistencyReport {
  const findings: Finding[] = [];
  const zoneNames = primary.map((z) => bare(z.name));
  const forwardZones = zoneNames.filter((z) => !isReverse(z));
  const reverseZones = zoneNames.filter(isReverse);
  const live = primary.flatMap((z) => z.records.filter((r) => !r.disabled).map((r) => ({ ...r, zone: bare(z.name), name: bare(r.name) })));

  const byName = new Map<string, typeof live>();
  for (const r of live) byName.set(r.name, [...(byName.get(r.name) ?? []), r]);
  const addressesOf = (name: string) => (byName.get(name) ?? []).filter((r) => ADDRESS.has(r.type)).map((r) => r.value);
  const ptrsAt = (rname: string) => (byName.get(rname) ?? []).filter((r) => r.type === "PTR");
  const hostsWith = (ip: string) => [...new Set(live.filter((r) => ADDRESS.has(r.type) && r.value === ip).map((r) => r.name))];
  const hosted = (name: string) => closestZone(name, forwardZones);

  // forward → reverse
  for (const a of live.filter((r) => ADDRESS.has(r.type) && !isReverse(r.zone))) {
    const rname = reverseName(a.value);
    const rz = rname ? closestZone(rname, reverseZones) : undefined;
    if (!rname || !rz || ptrsAt(rname).length) continue;
    findings.push({
      kind: "a-without-ptr",
      severity: "warn",
      zone: a.zone,
      name: a.name,
      type: a.type,
      value: a.value,
      owner: a.owner,
      detail: `${a.name} ${a.type} ${a.value} has no PTR: a reverse lookup of ${a.value} (${rname}) gets NXDOMAIN from ${rz}.${a.owner === "kea-ddns" ? " Kea DDNS usually writes the PTR with the A: check its reverse DDNS for this subnet." : ""}`,
      fix: { kind: "record", label: `Add PTR ${relativeName(rname, rz)} → ${a.name}.`, op: "add", zone: rz, name: relativeName(rname, rz), type: "PTR", value: `${a.name}.` },
    });
  }

  // reverse → forward
  for (const p of live.filter((r) => r.type === "PTR" && isReverse(r.zone))) {
    const ip = addressOfReverseName(p.name);
    const target = host(p.value);
    if (!ip || !hosted(target)) continue;
    const addrs = addressesOf(target);
    if (addrs.includes(ip)) continue;
    const others = hostsWith(ip).filter((h) => h !== target);
    const gone = !(byName.get(target) ?? []).length;
    // a writer other than dnsdeck or a person would write it back: no fix offered
    const fixable = OWNER_WARNING[p.owner] === undefined;
    const rel = relativeName(p.name, p.zone);
    const repoint: Fix | undefined = fixable && others.length === 1 ? { kind: "record", label: `Point the PTR at ${others[0]}.`, op: "update", zone: p.zone, name: rel, type: "PTR", value: `${others[0]}.`, current: p.value } : undefined;
    const remove: Fix | undefined = fixable && gone && !others.length ? { kind: "record", label: "Delete this PTR", op: "delete", zone: p.zone, name: rel, type: "PTR", value: p.value } : undefined;
    const base = { severity: "warn" as const, zone: p.zone, name: p.name, type: "PTR", value: p.value, owner: p.owner };
    if (!addrs.length)
      findings.push({
        ...base,
        kind: "ptr-without-a",
        detail: `${ip} points back to ${target}, which has no A or AAAA record${gone ? " (the name does not exist: a deleted host?)" : ""}.${others.length ? ` ${others.join(", ")} ha${others.length === 1 ? "s" : "ve"} ${ip} now.` : ""}${ownerNote(p.owner)}`,
        fix: repoint ?? remove,
      });
    else
      findings.push({
        ...base,
        kind: "ptr-other-host",
        detail: `${ip} points back to ${target}, but ${target} is ${addrs.join(", ")}.${others.length ? ` ${ip} belongs to ${others.join(", ")}.` : ` No host has ${ip}.`}${ownerNote(p.owner)}`,
        fix: repoint,
      });
  }

  // CNAME chains that end nowhere inside the hosted zones
  for (const c of live.filter((r) => r.type === "CNAME")) {
    const seen = new Set([c.name]);
    let at = host(c.value);
    let problem: string | null = null;
    for (let hop = 0; hop < 16; hop++) {
      if (!hosted(at)) break; // outside what dnsdeck knows: not judged
      if (seen.has(at)) {
        problem = `loops back to ${at}`;
        break;
      }
      seen.add(at);
      const there = byName.get(at) ?? [];
      const next = there.find((r) => r.type === "CNAME");
      if (next) {
        at = host(next.value);
        continue;
      }
      if (!there.length) problem = `ends at ${at}, which has no records`;
      break;
    }
    if (!problem) continue;
    findings.push({ kind: "cname-dangling", severity: "warn", zone: c.zone, name: c.name, type: "CNAME", value: c.value, owner: c.owner, detail: `${c.name} → ${[...seen].slice(1).join(" → ") || host(c.value)}: the chain ${problem}, so clients get NXDOMAIN (or a loop) for ${c.name}.` });
  }

  // replicas' copies
  const unreadable: ConsistencyReport["unreadable"] = [];
  for (const rep of replicas) {
    if (!rep.zones) {
      unreadable.push({ instance: rep.instance, error: rep.error ?? "did not answer" });
      continue;
    }
    for (const z of primary) {
      const zn = bare(z.name);
      const copy = rep.zones.find((x) => bare(x.name) === zn);
      const sync: Fix = { kind: "zone-sync", label: "Sync zones now" };
      if (!copy) {
        findings.push({ kind: "instance-differs", severity: "warn", zone: zn, name: zn, instance: rep.instance, detail: `${rep.instance} does not have ${zn}: clients it answers get REFUSED or NXDOMAIN for every name in it. A zone sync creates it as a Secondary zone.`, fix: sync });
        continue;
      }
      const want = new Set(z.records.filter((r) => r.type !== "SOA").map(copyKey));
      const have = new Set(copy.keys);
      const missing = [...want].filter((k) => !have.has(k));
      const extra = [...have].filter((k) => !want.has(k));
      if (!missing.length && !extra.length && copy.serial === z.serial) continue;
      const show = (ks: string[]) => ks.slice(0, 4).map((k) => k.split("|").join(" ")).join("; ") + (ks.length > 4 ? `; and ${ks.length - 4} more` : "");
      const diff = [missing.length ? `lacks ${show(missing)}` : "", extra.length ? `has ${show(extra)} that the primary does not` : ""].filter(Boolean).join(", and ");
      const behind = copy.serial !== undefined && z.serial !== undefined && copy.serial < z.serial;
      if (behind)
        findings.push({ kind: "instance-differs", severity: "info", zone: zn, name: zn, instance: rep.instance, detail: `${rep.instance} is behind: serial ${copy.serial} < ${z.serial}${diff ? `; it ${diff}` : ""}. Its next refresh or a zone sync brings it in step.`, fix: sync });
      else if (diff)
        findings.push({
          kind: "instance-differs",
          severity: "warn",
          zone: zn,
          name: zn,
          instance: rep.instance,
          detail: `${rep.instance} holds serial ${copy.serial ?? "?"} like the primary${copy.serial !== z.serial ? ` (${z.serial ?? "?"})` : ""} but ${diff}: a refresh will not fix a copy at the same serial. A zone sync forces a full transfer.`,
          fix: sync,
        });
      else findings.push({ kind: "instance-differs", severity: "info", zone: zn, name: zn, instance: rep.instance, detail: `${rep.instance} holds the same records at serial ${copy.serial ?? "?"} (the primary is at ${z.serial ?? "?"}).`, fix: sync });
    }
  }

  const counts = { "a-without-ptr": 0, "ptr-without-a": 0, "ptr-other-host": 0, "cname-dangling": 0, "instance-differs": 0 } as Record<FindingKind, number>;
  for (const f of findings) counts[f.kind]++;
  const order = (f: Finding) => (f.severity === "warn" ? 0 : 1);
  findings.sort((a, b) => order(a) - order(b) || a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name) || (a.instance ?? "").localeCompare(b.instance ?? ""));
  return { checkedAt: now.toISOString(), zones: zoneNames, records: live.length, findings, counts, unreadable };
}
