/**
 * The one place for what differs between Technitium 14.x and 15.x (reference technitium.md §0, §1.5, §6.11). The door
 * is written to the intersection — the `token` field (14.x ignores a Bearer header), strict JSON app configs (14.x
 * cannot parse comments), the record and zone calls (unchanged) — and everything version-specific is looked up here.
 * Pure: no I/O.
 */
export interface TechnitiumVersion {
  /** As `info.version` reports it: `major.minor`, `.build` only when non-zero ("14.3", "15.0.1"). */
  version: string;
  major: number;
  minor: number;
}

export function parseVersion(text: string | undefined): TechnitiumVersion {
  const version = text ?? "unknown";
  const [major, minor] = version.split(".").map((p) => Number.parseInt(p, 10));
  return { version, major: Number.isFinite(major) ? major : 0, minor: Number.isFinite(minor) ? minor : 0 };
}

const atLeast = (v: TechnitiumVersion, major: number, minor = 0) => v.major > major || (v.major === major && v.minor >= minor);

export interface TechnitiumFeatures {
  /** `Authorization: Bearer` is read (15.0+). The door sends the `token` field regardless. */
  bearerHeader: boolean;
  /** App configs may carry comments (15.0+). The door never writes them; it reads them tolerantly. */
  appConfigComments: boolean;
  /** The Query Logs (PostgreSQL) app can run (15.0+; app 1.1/1.2 need 15.1). */
  queryLogsPostgres: boolean;
  /** `/api/dashboard/metrics/*` exists (15.0+). */
  lifetimeMetrics: boolean;
  /** The settings key of the DNS reverse-proxy ACL (renamed in 15.2). */
  reverseProxyAclSetting: "reverseProxyNetworkACL" | "dnsReverseProxyNetworkACL";
  /** A Secondary root zone closest to a PTR's name counts as "no reverse zone" on `ptr=true` (15.x, §6.3). */
  ptrSkipsSecondaryRoot: boolean;
}

export function features(v: TechnitiumVersion): TechnitiumFeatures {
  const v15 = atLeast(v, 15);
  return {
    bearerHeader: v15,
    appConfigComments: v15,
    queryLogsPostgres: v15,
    lifetimeMetrics: v15,
    reverseProxyAclSetting: atLeast(v, 15, 2) ? "dnsReverseProxyNetworkACL" : "reverseProxyNetworkACL",
    ptrSkipsSecondaryRoot: v15,
  };
}
