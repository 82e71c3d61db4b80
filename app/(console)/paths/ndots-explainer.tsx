"use client";
import { LocalTime } from "@/app/_components/local-time";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { NdotsScenario } from "@/server/architecture/ndots";
import { useSeed } from "@/app/_components/use-seed";
import { fetchJson } from "./fetch-json";
import { NDOTS_DEFAULT } from "./ndots-default";

export interface NdotsResponse {
  name: string;
  namespace: string;
  internalZone: string;
  template: { regex: string; rcode: string } | null;
  nodeLocalDeployed: boolean;
  scenarios: NdotsScenario[];
  evidence: { available: true; since: string; multiLabelInternal: number; clusterDomain: number; examples: string[] } | { available: false; reason: string };
}

const WHO: Record<string, string> = {
  "coredns-kubernetes": "CoreDNS kubernetes plugin",
  "coredns-template": "CoreDNS template (short-circuit)",
  technitium: "Technitium",
  public: "public DNS",
};

export function NdotsExplainer({ initial }: { initial?: NdotsResponse }) {
  const [form, setForm] = useState<{ name: string; namespace: string }>(NDOTS_DEFAULT);
  const [params, setParams] = useState(form);
  const seed = useSeed(initial);
  const q = useQuery({
    queryKey: ["ndots", params],
    queryFn: () => fetchJson<NdotsResponse>(`/api/v1/paths/ndots?${new URLSearchParams(params)}`),
    // the page's own read answers the first question only (a seed would stand in for any other key's answer)
    ...(params.name === NDOTS_DEFAULT.name && params.namespace === NDOTS_DEFAULT.namespace ? seed : {}),
  });
  return (
    <section className="panel" aria-labelledby="ndots-h" data-testid="ndots">
      <h2 id="ndots-h" style={{ marginTop: 0 }}>
        Why ndots matters
      </h2>
      <form
        className="filters"
        onSubmit={(e) => {
          e.preventDefault();
          setParams(form);
        }}
      >
        <label>
          Name looked up by a pod
          <input value={form.name} onChange={(e) => setForm({ ...form, name: e.target.value })} data-testid="ndots-name" />
        </label>
        <label>
          Pod namespace
          <input value={form.namespace} onChange={(e) => setForm({ ...form, namespace: e.target.value })} data-testid="ndots-namespace" />
        </label>
        <button type="submit" disabled={q.isFetching}>
          {q.isFetching ? "Explaining…" : "Explain"}
        </button>
      </form>
      {q.isError && <div className="alert error">{q.error.message}</div>}
      {q.isPending && (
        <div>
          <span className="spinner" /> Working out the search-list expansions…
        </div>
      )}
      {q.data && (
        <div className="stack-v">
          <div style={{ display: "grid", gridTemplateColumns: "1fr 1fr", gap: 12 }}>
            {q.data.scenarios.map((s) => (
              <div key={s.ndots} data-testid={`ndots-${s.ndots}`}>
                <h3 style={{ fontSize: 14 }}>
                  ndots {s.ndots}
                  {s.ndots === 5 ? " (Kubernetes default)" : " (this cluster, injected by Kyverno)"}: {s.tries.length} names, {s.queries} queries (A + AAAA), {s.junk} junk
                </h3>
                <ol className="steps">
                  {s.tries.map((t) => (
                    <li key={t.qname} className={t.outcome === "answer" ? "ok" : t.answeredBy === "coredns-template" ? "skipped" : "failed"}>
                      <span className="mono">{t.qname}</span> → {t.outcome} from {WHO[t.answeredBy]}
                      {t.templateBypassed ? " — the template would stop it, but NodeLocal forwards this zone straight to Technitium" : ""}
                    </li>
                  ))}
                </ol>
              </div>
            ))}
          </div>
          <p className="muted small">
            Search list for namespace {q.data.namespace}: {q.data.scenarios[0].searchList.join(", ")}.{" "}
            {q.data.template ? `The ${q.data.internalZone} template (${q.data.template.regex} → ${q.data.template.rcode}) answers names with 2+ labels before the zone at CoreDNS.` : "No ndots template is configured."}
          </p>
          <div data-testid="ndots-evidence">
            {q.data.evidence.available ? (
              <p>
                Query-log evidence today (since <LocalTime at={q.data.evidence.since} />): <strong>{q.data.evidence.multiLabelInternal}</strong> queries for names with 2+ labels
                before {q.data.internalZone} and <strong>{q.data.evidence.clusterDomain}</strong> cluster-domain names reached Technitium
                {q.data.evidence.examples.length ? ` (e.g. ${q.data.evidence.examples.join(", ")})` : ""}.
              </p>
            ) : (
              <p className="muted small">No query-log evidence: {q.data.evidence.reason}.</p>
            )}
          </div>
        </div>
      )}
    </section>
  );
}
