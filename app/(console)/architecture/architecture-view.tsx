"use client";
import { LocalTime } from "@/app/_components/local-time";
import { api } from "@/app/_components/api-client";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { useCallback, useMemo, useState } from "react";
import { Mermaid } from "@/app/_components/mermaid";
import type { Drawn } from "@/server/architecture/drawing-key";
import { useSeed } from "@/app/_components/use-seed";
import type { ArchitectureGraph } from "@/server/architecture/graph";
import { fillLiveSource } from "@/server/architecture/mermaid-text";

type Arch = ArchitectureGraph & { generatedAt: string; configSource: string; drawn?: Drawn };

const REFRESH_MS = 15_000;
/**
 * The areas one can focus on (mermaid subgraph ids from server/architecture/graph.ts); labels stay ≥ 11 px by default.
 * The default is the pods' DNS path — NodeLocal and kube-dns-upstream only when deployed (otherwise they are drawn
 * aside, off the path) — CoreDNS, the Technitium Services and instances: readable without panning at 1440×900.
 */
function panZoomFor(nodes: Arch["nodes"]) {
  const nl = nodes.find((n) => n.id === "nodelocal");
  const path = ["pods", ...(nl && nl.details?.deployed !== false ? ["nodelocal", "kubednsup"] : []), "coredns", "clusterip", "lb", ...nodes.filter((n) => /^tech\d+$/.test(n.id)).map((n) => n.id)];
  return {
    areas: [
      { id: "path", label: "DNS path", subgraphs: [], nodes: path },
      { id: "cluster", label: "Cluster", subgraphs: ["gK8s"] },
      { id: "technitium", label: "Technitium HA", subgraphs: ["gTech"] },
      { id: "lan", label: "pfSense / LAN", subgraphs: ["gPfsense", "gLan"] },
      { id: "external", label: "External", subgraphs: ["gExternal"] },
    ],
    defaultArea: "path",
    minLabelPx: 11.5,
  };
}
const MANAGER: Record<string, string> = { "/stack": "Stack", "/coredns": "CoreDNS", "/technitium": "Technitium", "/query-logs": "Query logs" };


function download(name: string, type: string, text: string) {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement("a");
  a.href = url;
  a.download = name;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

export function ArchitectureView({ initial }: { initial?: Arch }) {
  const q = useQuery({ queryKey: ["architecture"], queryFn: () => api<Arch>("/api/v1/architecture"), refetchInterval: REFRESH_MS, ...useSeed(initial) });
  const [selected, setSelected] = useState<string | null>(null);
  const [svg, setSvg] = useState<string | null>(null);
  const onClick = useCallback((id: string) => setSelected(id), []);
  const pathKey = q.data ? panZoomFor(q.data.nodes).areas[0].nodes!.join(",") : "";
  // eslint-disable-next-line react-hooks/exhaustive-deps -- the areas change only when the path's members do
  const panZoom = useMemo(() => panZoomFor(q.data?.nodes ?? []), [pathKey]);

  if (q.isPending)
    return (
      <div className="panel">
        <span className="spinner" /> Reading the stack config, Kubernetes, Technitium and the query-log database…
      </div>
    );
  if (q.isError && !q.data)
    return (
      <div className="alert error" role="alert">
        The architecture could not be loaded: {q.error.message}. Try again; if it persists, check /api/v1/ready.
      </div>
    );
  const data = q.data!;
  const node = data.nodes.find((n) => n.id === selected);
  const counts = data.nodes.reduce<Record<string, number>>((acc, n) => ((acc[n.health] = (acc[n.health] ?? 0) + 1), acc), {});

  return (
    <div className="stack-v">
      <div className="row" data-testid="architecture-toolbar">
        <span className="badge badge-healthy">{counts.healthy ?? 0} healthy</span>
        <span className="badge badge-degraded">{counts.degraded ?? 0} degraded</span>
        <span className="badge badge-down">{counts.down ?? 0} down</span>
        <span className="badge">{counts.unknown ?? 0} unknown</span>
        <span className="muted small" data-testid="architecture-updated">
          {q.isFetching ? <span className="spinner" /> : null} updated <LocalTime at={data.generatedAt} part="time" /> · every {REFRESH_MS / 1000}s · config: {data.configSource}
        </span>
        <span style={{ marginLeft: "auto" }} className="row">
          <button type="button" className="secondary" data-testid="download-mermaid" onClick={() => download("dns-architecture.mmd", "text/plain", fillLiveSource(data.mermaid, data.live))}>
            Download mermaid
          </button>
          <button type="button" className="secondary" data-testid="download-svg" disabled={!svg} onClick={() => svg && download("dns-architecture.svg", "image/svg+xml", svg)}>
            Download SVG
          </button>
        </span>
      </div>
      {q.isError && <div className="alert warn">Refresh failed ({q.error.message}); showing the last good state.</div>}
      <div className="arch-layout" style={{ display: "grid", gridTemplateColumns: node ? "minmax(0, 1fr) 320px" : "minmax(0, 1fr)", gap: 14 }}>
        <div className="panel">
          <Mermaid source={data.mermaid} drawn={data.drawn} live={data.live} onNodeClick={onClick} onRendered={setSvg} label="DNS architecture graph" testId="architecture-graph" panZoom={panZoom} />
        </div>
        {node && (
          <aside className="panel" data-testid="node-details" aria-label="Component details">
            <div className="row">
              <h2 style={{ margin: 0 }}>{node.label.split(" · ")[0]}</h2>
              <span className={`badge badge-${node.health}`} data-testid="node-health">
                {node.health}
              </span>
              <button type="button" className="secondary" style={{ marginLeft: "auto" }} onClick={() => setSelected(null)} aria-label="Close details">
                ×
              </button>
            </div>
            <p className="muted small">{node.label}</p>
            {node.details && Object.keys(node.details).length > 0 && (
              <table className="table">
                <tbody>
                  {Object.entries(node.details).map(([k, v]) => (
                    <tr key={k}>
                      <th>{k}</th>
                      <td className="mono">{v === null ? "—" : String(v)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
            {node.href ? (
              <p>
                <Link href={node.href} data-testid="node-manage-link">
                  Manage on the {MANAGER[node.href] ?? node.href} page →
                </Link>
              </p>
            ) : (
              <p className="muted small">dnsdeck does not manage this component; it is drawn from the architecture document.</p>
            )}
          </aside>
        )}
      </div>
      <details className="panel">
        <summary>All components ({data.nodes.length})</summary>
        <table className="table" data-testid="architecture-nodes">
          <thead>
            <tr>
              <th>Component</th>
              <th>Health</th>
            </tr>
          </thead>
          <tbody>
            {data.nodes.map((n) => (
              <tr key={n.id}>
                <td>
                  <button type="button" className="secondary" onClick={() => setSelected(n.id)}>
                    {n.label}
                  </button>
                </td>
                <td>
                  <span className={`badge badge-${n.health}`}>{n.health}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </div>
  );
}
