"use client";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Mermaid } from "@/app/_components/mermaid";
import { useSeed } from "@/app/_components/use-seed";
import type { PathsResponse } from "@/server/architecture/collect";
import { fetchJson } from "./fetch-json";
import { NdotsExplainer, type NdotsResponse } from "./ndots-explainer";
import { TraceForm } from "./trace-form";

export function PathsView({ initial, initialNdots }: { initial?: PathsResponse; initialNdots?: NdotsResponse }) {
  const q = useQuery({ queryKey: ["paths"], queryFn: () => fetchJson<PathsResponse>("/api/v1/paths"), refetchInterval: 30_000, ...useSeed(initial) });
  const [tab, setTab] = useState<string>("pod-internal");
  if (q.isPending)
    return (
      <div className="panel">
        <span className="spinner" /> Reading the stack config and whether NodeLocal DNSCache is deployed…
      </div>
    );
  if (q.isError && !q.data)
    return (
      <div className="alert error" role="alert">
        The resolution paths could not be loaded: {q.error.message}. Try again; if it persists, check /api/v1/ready.
      </div>
    );
  const data = q.data!;
  const d = data.diagrams.find((x) => x.id === tab) ?? data.diagrams[0];
  return (
    <div className="stack-v">
      <div className="row small muted" data-testid="paths-status">
        <span>
          NodeLocal DNSCache:{" "}
          {data.nodeLocalDeployed === null ? (
            <span className="badge">unknown ({data.nodeLocalError})</span>
          ) : data.nodeLocalDeployed ? (
            <span className="badge badge-healthy">deployed</span>
          ) : (
            <span className="badge badge-degraded">not deployed — pods go to kube-dns directly</span>
          )}
        </span>
        <span>CoreDNS forwarders: {data.forwarders.join(" → ")}</span>
        <span>config: {data.configSource}</span>
      </div>
      <div className="tabs" role="tablist">
        {data.diagrams.map((x) => (
          <button key={x.id} type="button" role="tab" aria-selected={x.id === d.id} className={x.id === d.id ? "active" : undefined} onClick={() => setTab(x.id)} data-testid={`path-tab-${x.id}`}>
            {x.title}
          </button>
        ))}
      </div>
      <div className="panel" data-testid={`path-${d.id}`}>
        <h2 style={{ marginTop: 0 }}>{d.title}</h2>
        <ul className="mono small">
          {d.summary.map((s) => (
            <li key={s}>{s}</li>
          ))}
        </ul>
        <Mermaid source={d.mermaid} drawn={d.drawn} label={`Resolution path: ${d.title}`} testId="path-diagram" />
      </div>
      <TraceForm classes={data.diagrams.map((x) => ({ id: x.id, title: x.title }))} nodes={data.nodes} clientClass={d.id} onClientClass={setTab} />
      <NdotsExplainer initial={initialNdots} />
    </div>
  );
}
