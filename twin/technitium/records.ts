/**
 * `zones/records/get|add|update|delete` of the twin, as reference technitium.md §6 says 14.3/15.2 answer them: the
 * exact error texts, CNAME exclusivity, RRset TTLs, `overwrite`, `ptr` (closest reverse zone, written before the A
 * record), update resetting omitted metadata, delete taking the A/AAAA's PTR with it, one SOA serial bump per commit
 * (the reverse zone bumped separately), `comments`/`lastModified`/`expiryTtl` kept on the primary only (transfers carry
 * bare RRs), `lastUsedOn` in memory (year one here). Types: A, AAAA, CNAME, PTR, NS, TXT, MX, SRV.
 */
import { ApiError, bool, type Params, required } from "./api-util";
import { TechnitiumInstance, YEAR_ONE, type Zone } from "./instance";
import type { Rec } from "./seed";

/** A stored record: the RR in dns-packet's shape plus what only the API shows. */
export type StoredRec = Rec & { comments?: string; lastModified?: string; expiryTtl?: number; disabled?: boolean };

type Args = { inst: TechnitiumInstance; p: Params };
type RecordRoute = { auth: true; mutates?: boolean; fn(a: Args): Record<string, unknown> };

const bare = (n: string) => n.trim().toLowerCase().replace(/\.$/, "");

const RDATA_OUT: Record<string, (d: any) => Record<string, unknown>> = {
  A: (d) => ({ ipAddress: d }),
  AAAA: (d) => ({ ipAddress: d }),
  CNAME: (d) => ({ cname: d }),
  PTR: (d) => ({ ptrName: d }),
  NS: (d) => ({ nameServer: d }),
  TXT: (d) => {
    const strings = txtStrings(d);
    return { text: strings.join(strings.length > 1 ? "\n" : ""), splitText: strings.length > 1, characterStrings: strings };
  },
  MX: (d) => ({ preference: d.preference, exchange: d.exchange }),
  SRV: (d) => ({ priority: d.priority, weight: d.weight, port: d.port, target: d.target }),
  SOA: (d) => ({ primaryNameServer: d.mname, responsiblePerson: d.rname, serial: d.serial, refresh: d.refresh, retry: d.retry, expire: d.expire, minimum: d.minimum, useSerialDateScheme: true }),
};

/** TXT data as strings whatever shape it is held in (dns-packet decodes Buffers; persisted state has their JSON). */
function txtStrings(d: unknown): string[] {
  const one = (x: unknown): string =>
    typeof x === "string" ? x : Buffer.isBuffer(x) ? x.toString("utf8") : x && typeof x === "object" && Array.isArray((x as { data?: unknown }).data) ? Buffer.from((x as { data: number[] }).data).toString("utf8") : String(x);
  return Array.isArray(d) ? d.map(one) : [one(d)];
}

function num(p: Params, name: string, max = 65535): number {
  const v = required(p, name);
  if (!/^\d+$/.test(v.trim()) || Number(v) > max) throw new ApiError(`The input string '${v}' was not in a correct format.`);
  return Number(v);
}

function ipOf(type: string, v: string): string {
  const ok = type === "A" ? /^(\d{1,3})(\.\d{1,3}){3}$/.test(v) && v.split(".").every((o) => Number(o) <= 255) : v.includes(":") && /^[0-9a-f:.]+$/i.test(v);
  if (!ok) throw new ApiError("An invalid IP address was specified.");
  return type === "AAAA" ? v.toLowerCase() : v;
}

/** The record value from add/delete parameters (`value` is the alias of the main one, §6.1). */
function rdataIn(type: string, p: Params): unknown {
  switch (type) {
    case "A":
    case "AAAA":
      return ipOf(type, required(p, "ipAddress", "value"));
    case "CNAME":
      return bare(required(p, "cname", "value"));
    case "PTR":
      return bare(required(p, "ptrName", "value"));
    case "NS":
      return bare(required(p, "nameServer", "value"));
    case "TXT": {
      const text = required(p, "text", "value");
      return bool(p, "splitText", false) ? text.split(/\r?\n/) : [text];
    }
    case "MX":
      return { preference: num(p, "preference"), exchange: bare(required(p, "exchange", "value")) };
    case "SRV":
      return { priority: num(p, "priority"), weight: num(p, "weight"), port: num(p, "port"), target: bare(required(p, "target", "value")) };
    default:
      throw new ApiError(`Record type is not supported by the twin: ${type}`);
  }
}

/** update's new value: each `newX` defaults to the old `X` (§6.4). */
function newParams(p: Params): Params {
  const nk = (n: string) => `new${n[0].toUpperCase()}${n.slice(1)}`;
  return { get: (n) => p.get(nk(n)) ?? (n === "value" ? p.get("newValue") : undefined) ?? p.get(n), has: (n) => p.has(nk(n)) || p.has(n) };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b) || (Array.isArray(a) && Array.isArray(b) && JSON.stringify(txtStrings(a)) === JSON.stringify(txtStrings(b)));

function recordZone(inst: TechnitiumInstance, p: Params, domain: string): Zone {
  const zn = p.get("zone") ? bare(p.get("zone")!) : undefined;
  const z = zn ? inst.zones.get(zn) : inst.findZone(domain, { activeOnly: false });
  if (!z) throw new ApiError(`No such zone was found: ${zn ?? domain}`);
  if (domain !== z.name && !domain.endsWith(`.${z.name}`)) throw new ApiError(`The domain name '${domain}' does not belong to the zone: ${z.name}`);
  return z;
}

function editable(z: Zone, verb: "add" | "update" | "delete"): void {
  if (z.internal) throw new ApiError("Access was denied to manage internal DNS Server zone.");
  if (z.type === "Secondary") throw new ApiError(`Cannot ${verb} record in Secondary zone.`);
}

function soaExpire(inst: TechnitiumInstance, z: Zone): number {
  return (inst.soaOf(z)?.data as { expire?: number } | undefined)?.expire ?? 604800;
}

function ttlOf(inst: TechnitiumInstance, z: Zone, p: Params, type: string, what: "add" | "update"): number {
  const raw = p.get("ttl");
  const def = Number((type === "NS" ? inst.settings.defaultNsRecordTtl : inst.settings.defaultRecordTtl) ?? 3600);
  const ttl = raw === undefined || raw === "" ? def : Number(raw);
  if (!Number.isInteger(ttl) || ttl < 0) throw new ApiError(`The input string '${raw}' was not in a correct format.`);
  if (ttl > soaExpire(inst, z)) throw new ApiError(`Cannot ${what} record: TTL cannot be greater than SOA EXPIRE.`);
  return ttl;
}

function reverseName(ip: string): string {
  if (!ip.includes(":")) return `${ip.split(".").reverse().join(".")}.in-addr.arpa`;
  const [head, tail = ""] = ip.split("::");
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const groups = ip.includes("::") ? [...h, ...Array(8 - h.length - t.length).fill("0"), ...t] : h;
  const nibbles = groups.map((g) => g.padStart(4, "0")).join("");
  return `${[...nibbles].reverse().join(".")}.ip6.arpa`;
}

function stamp(inst: TechnitiumInstance, z: Zone): void {
  inst.bumpSerial(z);
}

/** `ptr=true`: the PTR RRset at the reverse name becomes one PTR naming `domain`, in the closest reverse zone (§6.3). */
function setPtr(inst: TechnitiumInstance, p: Params, ip: string, domain: string, ttl: number, expiryTtl: number): void {
  const rname = reverseName(ip);
  const rz = inst.findZone(rname, { activeOnly: false });
  if (!rz) {
    if (!bool(p, "createPtrZone", false)) throw new ApiError("No reverse zone available to add PTR record.");
    throw new ApiError("The twin does not create reverse zones (createPtrZone).");
  }
  if (rz.internal || rz.type !== "Primary") throw new ApiError(`Reverse zone '${rz.name}' is not a primary or forwarder zone.`);
  rz.records = rz.records.filter((r) => !(r.name === rname && r.type === "PTR"));
  rz.records.push({ name: rname, type: "PTR", ttl, data: domain, lastModified: new Date().toISOString(), expiryTtl } as StoredRec);
  stamp(inst, rz);
}

/** Remove the PTR at `ip`'s reverse name when it names `domain` and sits in a non-internal Primary (§6.4, §6.5). */
function dropPtr(inst: TechnitiumInstance, ip: string, domain: string, { wholeRRset = false } = {}): void {
  const rname = reverseName(ip);
  const rz = inst.findZone(rname, { activeOnly: false });
  if (!rz || rz.internal || rz.type !== "Primary") return;
  const before = rz.records.length;
  rz.records = rz.records.filter((r) => !(r.name === rname && r.type === "PTR" && (wholeRRset || r.data === domain)));
  if (rz.records.length !== before) stamp(inst, rz);
}

function recordOut(r: StoredRec): Record<string, unknown> {
  return {
    disabled: !!r.disabled,
    name: r.name,
    type: r.type,
    ttl: r.ttl,
    ttlString: `${r.ttl}`,
    ...(r.comments ? { comments: r.comments } : {}),
    rData: (RDATA_OUT[r.type] ?? ((d) => ({ value: d })))(r.data),
    dnssecStatus: "Unknown",
    lastUsedOn: YEAR_ONE,
    lastModified: r.lastModified ?? YEAR_ONE,
    expiryTtl: r.expiryTtl ?? 0,
    expiryTtlString: `${r.expiryTtl ?? 0}`,
  };
}

function zoneOut(inst: TechnitiumInstance, z: Zone): Record<string, unknown> {
  return { name: z.name, type: z.type, internal: z.internal, dnssecStatus: "Unsigned", disabled: z.disabled, soaSerial: inst.serialOf(z) };
}

function checkCname(z: Zone, domain: string, type: string, data: unknown, overwrite: boolean): void {
  const here = z.records.filter((r) => r.name === domain);
  if (type === "CNAME") {
    if (domain === z.name) throw new ApiError("Cannot set CNAME record at zone apex.");
    if (data === domain) throw new ApiError("CNAME domain name cannot be same as that of the record name.");
    if (here.some((r) => r.type === "CNAME") && !overwrite) throw new ApiError("Record already exists. Use overwrite option if you wish to overwrite existing record.");
    if (here.some((r) => r.type !== "CNAME")) throw new ApiError("Cannot add record: a CNAME record cannot exists with other record types for the same name.");
  } else if (here.some((r) => r.type === "CNAME")) {
    throw new ApiError("Cannot add record: a CNAME record cannot exists with other record types for the same name.");
  }
}

export const RECORD_ROUTES: Record<string, RecordRoute> = {
  "/api/zones/records/get": {
    auth: true,
    fn({ inst, p }) {
      const domain = bare(required(p, "domain"));
      const z = recordZone(inst, p, domain);
      const listZone = bool(p, "listZone", false);
      const recs = (z.records as StoredRec[]).filter((r) => (listZone ? true : r.name === domain));
      const order = (r: StoredRec) => (r.name === z.name ? "" : r.name);
      recs.sort((a, b) => order(a).localeCompare(order(b)) || a.type.localeCompare(b.type));
      return { zone: zoneOut(inst, z), name: domain, records: recs.map(recordOut) };
    },
  },
  "/api/zones/records/add": {
    auth: true,
    mutates: true,
    fn({ inst, p }) {
      const domain = bare(required(p, "domain"));
      const z = recordZone(inst, p, domain);
      editable(z, "add");
      const type = required(p, "type").toUpperCase();
      const data = rdataIn(type, p);
      const ttl = ttlOf(inst, z, p, type, "add");
      const overwrite = bool(p, "overwrite", false);
      const expiryTtl = p.get("expiryTtl") ? Number(p.get("expiryTtl")) : 0;
      checkCname(z, domain, type, data, overwrite);
      // the PTR is written first: a failing A add still leaves it (§6.3)
      if ((type === "A" || type === "AAAA") && bool(p, "ptr", false)) setPtr(inst, p, data as string, domain, ttl, expiryTtl);
      const recs = z.records as StoredRec[];
      if (overwrite) z.records = recs.filter((r) => !(r.name === domain && r.type === type));
      else if (recs.some((r) => r.name === domain && r.type === type && same(r.data, data))) throw new ApiError("Cannot add record: record already exists.");
      for (const r of z.records) if (r.name === domain && r.type === type) r.ttl = ttl; // a new TTL re-TTLs the RRset
      const rec: StoredRec = { name: domain, type, ttl, data, lastModified: new Date().toISOString(), expiryTtl, ...(p.get("comments") ? { comments: p.get("comments") } : {}) };
      z.records.push(rec);
      stamp(inst, z);
      return { zone: zoneOut(inst, z), addedRecord: recordOut(rec) };
    },
  },
  "/api/zones/records/update": {
    auth: true,
    mutates: true,
    fn({ inst, p }) {
      const domain = bare(required(p, "domain"));
      const z = recordZone(inst, p, domain);
      editable(z, "update");
      const type = required(p, "type").toUpperCase();
      const renamed = p.get("newDomain") ? bare(p.get("newDomain")!) : undefined;
      const recs = z.records as StoredRec[];
      // CNAME: `cname` is the new target; the record is the name's CNAME (§6.4)
      const old = type === "CNAME" ? undefined : rdataIn(type, p);
      const rec = recs.find((r) => r.name === domain && r.type === type && (old === undefined || same(r.data, old)));
      if (!rec) throw new ApiError(renamed ? "Cannot update record: the old record does not exists." : "Cannot update record: the record does not exists to be updated.");
      const next = type === "CNAME" ? rdataIn(type, p) : rdataIn(type, newParams(p));
      const ttl = ttlOf(inst, z, p, type, "update");
      const name = renamed ?? domain;
      if (type === "CNAME" && next === name) throw new ApiError("CNAME domain name cannot be same as that of the record name.");
      if ((type === "A" || type === "AAAA") && bool(p, "ptr", false)) {
        dropPtr(inst, rec.data as string, domain, { wholeRRset: true });
        setPtr(inst, p, next as string, name, ttl, Number(p.get("expiryTtl") ?? 0));
      }
      // updating to a value that already exists merges silently
      z.records = recs.filter((r) => r === rec || !(r.name === name && r.type === type && same(r.data, next)));
      Object.assign(rec, { name, data: next, ttl, disabled: bool(p, "disable", false), expiryTtl: Number(p.get("expiryTtl") ?? 0), lastModified: new Date().toISOString() });
      if (p.get("comments")) rec.comments = p.get("comments");
      else delete rec.comments; // omitted metadata is reset, not kept
      for (const r of z.records) if (r.name === name && r.type === type) r.ttl = ttl;
      stamp(inst, z);
      return { zone: zoneOut(inst, z), updatedRecord: recordOut(rec) };
    },
  },
  "/api/zones/records/delete": {
    auth: true,
    mutates: true,
    fn({ inst, p }) {
      const domain = bare(required(p, "domain"));
      const z = recordZone(inst, p, domain);
      editable(z, "delete");
      const type = required(p, "type").toUpperCase();
      const data = type === "CNAME" ? undefined : rdataIn(type, p);
      const recs = z.records as StoredRec[];
      const gone = recs.filter((r) => r.name === domain && r.type === type && (data === undefined || same(r.data, data)));
      if (gone.length === 0) throw new ApiError("Cannot delete record: no such record exists.");
      z.records = recs.filter((r) => !gone.includes(r));
      stamp(inst, z);
      if (type === "A" || type === "AAAA") for (const r of gone) dropPtr(inst, r.data as string, domain);
      return {};
    },
  },
};
