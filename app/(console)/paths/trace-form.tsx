"use client";
import { useMutation } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import type { TraceResult } from "@/server/trace/run";
import { fetchJson } from "./fetch-json";
import { LanViewTable } from "./lan-view";

/** The client class is the page's: choosing one here switches the drawn path above, and a path tab switches it here. */
export function TraceForm({ classes, nodes, clientClass, onClientClass }: { classes: { id: string; title: string }[]; nodes: string[]; clientClass: string; onClientClass: (id: string) => void }) {
  const [name, setName] = useState("idrac.viktorbarzin.lan");
  const setClientClass = onClientClass;
  const [node, setNode] = useState("");
  const [elapsed, setElapsed] = useState(0);
  const isPod = clientClass.startsWith("pod-");
  const m = useMutation({
    mutationFn: (body: { name: string; clientClass: string; node?: string }) =>
      fetchJson<TraceResult>("/api/v1/trace", { method: "POST", body }),
  });
  useEffect(() => {
    if (!m.isPending) return;
    const t0 = Date.now();
    setElapsed(0);
    const i = setInterval(() => setElapsed((Date.now() - t0) / 1000), 200);
    return () => clearInterval(i);
  }, [m.isPending]);

  return (
    <section className="panel" aria-labelledby="trace-h">
      <h2 id="trace-h" style={{ marginTop: 0 }}>
        Trace a name
      </h2>
      <form
        className="filters"
        data-testid="trace-form"
        onSubmit={(e) => {
          e.preventDefault();
          m.mutate({ name: name.trim(), clientClass, node: isPod && node ? node : undefined });
        }}
      >
        <label>
          Name
          <input value={name} onChange={(e) => setName(e.target.value)} data-testid="trace-name" required maxLength={254} size={32} />
        </label>
        <label>
          Client class
          <select value={clientClass} onChange={(e) => setClientClass(e.target.value)} data-testid="trace-class">
            {classes.map((c) => (
              <option key={c.id} value={c.id}>
                {c.title}
              </option>
            ))}
          </select>
        </label>
        {isPod && (
          <label>
            Node
            <select value={node} onChange={(e) => setNode(e.target.value)} data-testid="trace-node">
              <option value="">{nodes[0] ? `first node (${nodes[0]})` : "first node"}</option>
              {nodes.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </label>
        )}
        <button type="submit" disabled={m.isPending} data-testid="trace-submit">
          {m.isPending ? "Tracing…" : "Trace"}
        </button>
      </form>
      {m.isPending && (
        <div data-testid="trace-progress" className="stack-v">
          <div>
            <span className="spinner" /> Asking every hop in turn (each waits at most 1.5 s)… {elapsed.toFixed(1)} s
          </div>
          <div className="progress">
            <div style={{ width: `${Math.min(95, (elapsed / 15) * 100)}%` }} />
          </div>
        </div>
      )}
      {m.isError && (
        <div className="alert error" role="alert" data-testid="trace-error">
          {m.error.message}
        </div>
      )}
      {m.data && <TraceTable r={m.data} />}
    </section>
  );
}

function TraceTable({ r }: { r: TraceResult }) {
  return (
    <div className="stack-v" data-testid="trace-result">
      {r.rootCause ? (
        <div className="alert error" data-testid="trace-root-cause">
          <div data-testid="trace-first-bad">
            Root cause: hop {r.rootCause.index + 1}, <strong>{r.rootCause.hop}</strong> — {r.rootCause.reason}
            {r.rootCause.index + 1 < r.hops.length && r.rootCause.symptoms.length > 0 ? " (the hops it asks answer)" : ""}
          </div>
          {r.rootCause.symptoms.length > 0 && (
            <div className="small" data-testid="trace-symptoms">
              Symptoms, failing because of it:
              <ul style={{ margin: "2px 0 0", paddingLeft: 20 }}>
                {r.rootCause.symptoms.map((s) => (
                  <li key={s.index}>
                    hop {s.index + 1}, {s.hop} — {s.reason}
                  </li>
                ))}
              </ul>
            </div>
          )}
          {r.rootCause.also.length > 0 && (
            <div className="small" data-testid="trace-also">
              Also wrong, on their own:
              <ul style={{ margin: "2px 0 0", paddingLeft: 20 }}>
                {r.rootCause.also.map((s) => (
                  <li key={s.index}>
                    hop {s.index + 1}, {s.hop} — {s.reason}
                  </li>
                ))}
              </ul>
            </div>
          )}
        </div>
      ) : r.firstBadHop ? (
        <div className="alert error" data-testid="trace-first-bad">
          First goes wrong at <strong>{r.firstBadHop.hop}</strong>: {r.firstBadHop.reason}
        </div>
      ) : (
        <div className="alert ok" data-testid="trace-all-good">
          Every hop that answered agrees with the authoritative answer{r.lan ? " as dnsdeck sees it from inside the cluster" : ""}
          {r.expected ? `: ${r.expected.rcode} ${r.expected.answers.join(", ") || "(no records)"}` : ""}.
        </div>
      )}
      <p className="muted small">
        {r.name} {r.type} as {r.clientClass}
        {r.node ? ` on ${r.node}` : ""} · {r.kind} name · {r.durationMs} ms
        {r.expected ? ` · authoritative TTL ${r.expected.ttl ?? "—"}` : " · no authoritative answer to compare with"}
      </p>
      <table className="table" data-testid="trace-hops">
        <thead>
          <tr>
            <th>#</th>
            <th>Hop</th>
            <th>Server</th>
            <th>Rcode</th>
            <th>Answers</th>
            <th>TTL</th>
            <th>Latency</th>
            <th>Cached</th>
            <th>Verdict</th>
          </tr>
        </thead>
        <tbody>
          {r.hops.map((h, i) => (
            <tr key={`${h.hop}-${i}`} data-testid="trace-hop" data-bad={r.firstBadHop?.index === i || undefined} data-root={r.rootCause?.index === i || undefined}>
              <td>{i + 1}</td>
              <td>
                {h.hop}
                {h.reference ? <span className="badge"> reference</span> : null}
              </td>
              <td className="mono">
                {h.server || "—"}
                {h.via ? ` via ${h.via}` : ""}
              </td>
              <td title={h.outcomeText} data-testid="trace-hop-outcome" data-outcome={h.outcome}>
                {h.rcode ?? "—"}
                {h.outcome !== "answer" && h.outcome !== "skipped" && h.outcome !== "timeout" && h.errorKind === undefined ? <div className="muted small">{h.outcomeText}</div> : null}
              </td>
              <td className="mono">{h.answers.length ? h.answers.map((a) => `${a.type} ${a.data}`).join(", ") : "—"}</td>
              <td>{h.ttl ?? "—"}</td>
              <td>{h.latencyMs === null ? "—" : `${h.latencyMs} ms`}</td>
              <td>{h.cached === null ? "—" : h.cached ? "yes" : "no"}</td>
              <td>
                {h.error ? (
                  <span className={h.errorKind === "skipped" ? "muted" : "error-text"} data-testid="trace-hop-error">
                    {h.error}
                  </span>
                ) : h.matches === null ? (
                  <span className="muted">—</span>
                ) : h.matches ? (
                  <span className="ok-text">as expected</span>
                ) : (
                  <span className="error-text">differs</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {r.lan && <LanViewTable v={r.lan} />}
    </div>
  );
}
