import { getPath, type Json } from "@/app/_components/json-path";
import type { StackConfig } from "@/k8s/config";

/** NodeLocal's zones: per zone its cache TTL and where misses go (CoreDNS, the node's resolv.conf, or IPs). */
export function NodeLocalZones({
  draft,
  mode,
  fieldErrors,
  stack,
  update,
}: {
  draft: Json;
  mode: "form" | "raw";
  fieldErrors: Record<string, string>;
  stack: StackConfig;
  update: (path: string, value: unknown) => void;
}) {
  const zones = (getPath(draft, "nodelocal.zones") as Json[] | undefined) ?? [];
  return (
    <table className="table" data-testid="nodelocal-zones" style={{ tableLayout: "fixed", width: "100%" }}>
      <thead>
        <tr>
          <th>Zone</th>
          <th>cache TTL (s)</th>
          <th>Misses go to</th>
        </tr>
      </thead>
      <tbody>
        {zones.map((z, k) => {
          const fwd = z.forward as string | string[];
          const err = fieldErrors[`nodelocal.zones.${k}.cacheTtl`] ?? fieldErrors[`nodelocal.zones.${k}.forward`];
          return (
            <tr key={k}>
              <td className="mono">{String(z.zone)}</td>
              <td>
                {z.success ? (
                  <span className="small muted">success/denial caches</span>
                ) : (
                  <input
                    style={{ width: 70 }}
                    data-testid={`zone-ttl-${String(z.zone)}`}
                    disabled={mode === "raw"}
                    value={String(z.cacheTtl ?? "")}
                    onChange={(e) => update(`nodelocal.zones.${k}.cacheTtl`, /^\d+$/.test(e.target.value) ? Number(e.target.value) : e.target.value)}
                  />
                )}
              </td>
              <td>
                <select
                  data-testid={`zone-forward-${String(z.zone)}`}
                  disabled={mode === "raw"}
                  value={Array.isArray(fwd) ? "ips" : fwd}
                  style={{ maxWidth: "100%" }}
                  title="cluster-dns = the kube-dns-upstream ClusterIP (node-cache fills __PILLAR__CLUSTER__DNS__)"
                  onChange={(e) => update(`nodelocal.zones.${k}.forward`, e.target.value === "ips" ? [stack.coredns.internalZone.forwardTo] : e.target.value)}
                >
                  <option value="cluster-dns">CoreDNS</option>
                  <option value="upstream-servers">node resolv.conf</option>
                  <option value="ips">IPs</option>
                </select>
                {Array.isArray(fwd) && (
                  <input
                    style={{ width: "100%", marginTop: 4 }}
                    data-testid={`zone-ips-${String(z.zone)}`}
                    disabled={mode === "raw"}
                    value={fwd.join(", ")}
                    onChange={(e) => update(`nodelocal.zones.${k}.forward`, e.target.value.split(/[,\s]+/).filter(Boolean))}
                  />
                )}
                {err && <div className="small error-text">{err}</div>}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
