/**
 * The Technitium releases dnsdeck supports and what changes between them (reference technitium.md §0, §1.3, §6.11).
 * dnsdeck reads each instance's version (`user/session/get` → `info.version`) and checks it against this table.
 *
 * | version   | PostgreSQL query logs | Bearer header | comments in app configs | error envelope |
 * |-----------|-----------------------|---------------|-------------------------|----------------|
 * | 14.3      | no (app needs 15.0)   | ignored       | rejected                | + stackTrace   |
 * | 15.0–15.2 | yes (app 1.0; 1.2 on 15.1+) | accepted | accepted            | no stackTrace  |
 *
 * dnsdeck sends the token as a parameter and never writes comments, so calls work on both; what differs is whether
 * the query-log database can be fed by the instances at all, and clustering (all nodes must run one version).
 * Pure.
 */

export interface VersionSupport {
  version: string;
  supported: boolean;
  /** The Query Logs (PostgreSQL) app can run on this release. */
  postgresQueryLogs: boolean;
  note?: string;
}

const SUPPORTED = /^(14\.3|15\.[0-2])(\.\d+)?$/;

export function versionSupport(version: string | undefined): VersionSupport {
  const v = version ?? "unknown";
  const major = Number.parseInt(v, 10);
  const supported = SUPPORTED.test(v);
  return {
    version: v,
    supported,
    postgresQueryLogs: major >= 15,
    note: supported ? undefined : `dnsdeck supports Technitium 14.3 and 15.0–15.2; this instance reports ${v}`,
  };
}

/** Problems across the instances: unsupported releases, mixed releases, query logs expected where none can be written. */
export function versionProblems(instances: { name: string; version?: string }[], opts: { queryLogsConfigured: boolean }): string[] {
  const out: string[] = [];
  const known = instances.filter((i) => i.version);
  for (const i of known) {
    const s = versionSupport(i.version);
    if (!s.supported) out.push(`${i.name}: ${s.note}`);
  }
  const versions = [...new Set(known.map((i) => i.version))];
  if (versions.length > 1) out.push(`the instances run different releases (${known.map((i) => `${i.name} ${i.version}`).join(", ")}); Technitium's cluster and sync need one release on every node`);
  if (opts.queryLogsConfigured) {
    const old = known.filter((i) => !versionSupport(i.version).postgresQueryLogs);
    if (old.length) out.push(`${old.map((i) => `${i.name} (${i.version})`).join(", ")} cannot run the Query Logs (PostgreSQL) app (15.0+), so no rows of theirs reach QUERYLOG_DATABASE_URL`);
  }
  return out;
}
