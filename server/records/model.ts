import { presentValue, type RecordData, type RecordType, RECORD_TYPES, relativeName } from "@/k8s/records";
import type { TechnitiumRecord } from "@/server/technitium/client";

/**
 * Records as dnsdeck shows them (pure): name relative to the zone, value in zone-file presentation, and who writes
 * the record. Technitium keeps no origin field; the only trace of a writer is `comments` (reference §6.2): an RFC 2136
 * update overwrites them with "Via Dynamic Updates (RFC 2136)…" (the homelab's Kea DDNS from pfSense), phpIPAM's
 * dns-sync is recognised by a comment naming phpipam, and dnsdeck marks its own writes with "dnsdeck: …". Replicas
 * never show comments (transfers carry bare RRs), so owners are read on the primary.
 */
export type Owner = "kea-ddns" | "phpipam" | "dnsdeck" | "manual";

export const OWNER_LABEL: Record<Owner, string> = {
  "kea-ddns": "Kea DDNS (dynamic update)",
  phpipam: "phpIPAM dns-sync",
  dnsdeck: "dnsdeck",
  manual: "by hand / unknown",
};

/** What happens when dnsdeck changes a record someone else writes. */
export const OWNER_WARNING: Partial<Record<Owner, string>> = {
  "kea-ddns": "Kea DDNS writes this record from its DHCP leases: it will write it back at the next lease renewal unless the reservation changes in Kea.",
  phpipam: "phpIPAM's dns-sync pushes this record every 15 minutes: change the host in phpIPAM too, or it will be written back.",
};

export function ownerOf(comments: string | undefined): Owner {
  const c = comments ?? "";
  if (/^Via Dynamic Updates \(RFC 2136\)/.test(c)) return "kea-ddns";
  if (/phpipam/i.test(c)) return "phpipam";
  if (/^dnsdeck:/.test(c)) return "dnsdeck";
  return "manual";
}

export interface RecordView {
  /** Relative to the zone, `@` for the apex. */
  name: string;
  type: string;
  ttl: number;
  value: string;
  owner: Owner;
  comments?: string;
  disabled?: boolean;
  /** Whether each instance serves the same name/type/value (set by the list). */
  instances?: Record<string, boolean>;
}

const isEditable = (t: string): t is RecordType => (RECORD_TYPES as readonly string[]).includes(t);

/** Technitium's `rData` → RecordData for the types dnsdeck edits, else null. */
export function dataOf(r: TechnitiumRecord): RecordData | null {
  const d = r.rData;
  switch (r.type) {
    case "A":
    case "AAAA":
      return d.ipAddress ? { type: r.type, ipAddress: d.ipAddress } : null;
    case "CNAME":
      return d.cname !== undefined ? { type: "CNAME", cname: d.cname } : null;
    case "PTR":
      return d.ptrName !== undefined ? { type: "PTR", ptrName: d.ptrName } : null;
    case "NS":
      return d.nameServer !== undefined ? { type: "NS", nameServer: d.nameServer } : null;
    case "TXT":
      return { type: "TXT", strings: d.characterStrings ?? (d.splitText ? (d.text ?? "").split("\n") : [d.text ?? ""]) };
    case "MX":
      return d.exchange !== undefined ? { type: "MX", preference: d.preference ?? 0, exchange: d.exchange } : null;
    case "SRV":
      return d.target !== undefined ? { type: "SRV", priority: d.priority ?? 0, weight: d.weight ?? 0, port: d.port ?? 0, target: d.target } : null;
  }
  return null;
}

/** Presentation of any record (types dnsdeck does not edit show their raw rData). */
export function valueOf(r: TechnitiumRecord): string {
  const data = isEditable(r.type) ? dataOf(r) : null;
  if (data) return presentValue(data);
  if (r.type === "SOA") return `serial ${r.rData.serial ?? "?"}`;
  return JSON.stringify(r.rData);
}

export function toView(r: TechnitiumRecord, zone: string): RecordView {
  return { name: relativeName(r.name, zone), type: r.type, ttl: r.ttl, value: valueOf(r), owner: ownerOf(r.comments), comments: r.comments, disabled: r.disabled || undefined };
}

/** One key per record across instances. */
export const recordKey = (v: { name: string; type: string; value: string }) => `${v.name.toLowerCase()}|${v.type}|${v.value.toLowerCase()}`;
