/**
 * Technitium's query-log encodings (reference technitium.md §4.5): stored numbers ↔ the names its API prints.
 * Pure; shared by the API, the rollups and the benchmark.
 */

export const PROTOCOLS: Record<number, string> = { 0: "Udp", 1: "Tcp", 2: "Tls", 3: "Https", 4: "HttpsJson", 5: "Quic", 253: "UdpProxy", 254: "TcpProxy" };

export const RESPONSE_TYPES: Record<number, string> = {
  1: "Authoritative",
  2: "Recursive",
  3: "Cached",
  4: "Blocked",
  5: "UpstreamBlocked",
  6: "UpstreamBlockedCached",
  7: "Dropped",
};

export const RCODES: Record<number, string> = {
  0: "NoError",
  1: "FormatError",
  2: "ServerFailure",
  3: "NxDomain",
  4: "NotImplemented",
  5: "Refused",
  6: "YXDomain",
  7: "YXRRSet",
  8: "NXRRSet",
  9: "NotAuthorized",
  10: "NotZone",
  16: "BADVERS",
  23: "BADCOOKIE",
};

export const QTYPES: Record<number, string> = {
  1: "A", 2: "NS", 5: "CNAME", 6: "SOA", 12: "PTR", 13: "HINFO", 15: "MX", 16: "TXT", 17: "RP", 18: "AFSDB", 24: "SIG", 25: "KEY",
  28: "AAAA", 29: "LOC", 33: "SRV", 35: "NAPTR", 36: "KX", 37: "CERT", 39: "DNAME", 41: "OPT", 42: "APL", 43: "DS", 44: "SSHFP",
  45: "IPSECKEY", 46: "RRSIG", 47: "NSEC", 48: "DNSKEY", 49: "DHCID", 50: "NSEC3", 51: "NSEC3PARAM", 52: "TLSA", 53: "SMIMEA",
  55: "HIP", 59: "CDS", 60: "CDNSKEY", 61: "OPENPGPKEY", 62: "CSYNC", 63: "ZONEMD", 64: "SVCB", 65: "HTTPS", 99: "SPF",
  108: "EUI48", 109: "EUI64", 249: "TKEY", 250: "TSIG", 251: "IXFR", 252: "AXFR", 255: "ANY", 256: "URI", 257: "CAA",
};

export const QCLASSES: Record<number, string> = { 1: "IN", 3: "CH", 4: "HS", 254: "NONE", 255: "ANY" };

/** Number → name; values the table knows no name for come back as their number ("TYPE65534" style for qtype). */
export function decode(map: Record<number, string>, n: number | null, unknownPrefix = ""): string | null {
  if (n === null || n === undefined) return null;
  return map[n] ?? `${unknownPrefix}${n}`;
}

const reverse = (map: Record<number, string>) => new Map(Object.entries(map).map(([k, v]) => [v.toLowerCase(), Number(k)]));
const REV = { protocol: reverse(PROTOCOLS), responseType: reverse(RESPONSE_TYPES), rcode: reverse(RCODES), qtype: reverse(QTYPES) };
export type EnumField = keyof typeof REV;

/** Name (case-insensitive) or bare number → stored number; undefined when neither. qtype also takes "TYPE123". */
export function encode(field: EnumField, value: string): number | undefined {
  const v = value.trim().toLowerCase();
  const named = REV[field].get(v);
  if (named !== undefined) return named;
  const m = /^(?:type)?(\d{1,5})$/.exec(v);
  if (m && (field === "qtype" || /^\d+$/.test(v))) {
    const n = Number(m[1]);
    const max = field === "qtype" ? 65535 : field === "rcode" ? 4095 : 255;
    if (n <= max) return n;
  }
  return undefined;
}

export function names(field: EnumField): string[] {
  const map = field === "protocol" ? PROTOCOLS : field === "responseType" ? RESPONSE_TYPES : field === "rcode" ? RCODES : QTYPES;
  return Object.values(map);
}
