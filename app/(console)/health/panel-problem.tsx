import type { PanelState } from "@/server/prometheus/types";

const WHAT: Record<string, string> = {
  not_configured: "Not configured",
  unreachable: "Unreachable",
  timeout: "Too slow",
  not_ready: "Prometheus is starting",
  bad_query: "Prometheus refused the query",
  server_error: "Prometheus failed",
  bad_response: "Not a Prometheus answer",
};

/** Why a panel has no data, in words, with what to do. */
export function PanelProblem({ state }: { state: Extract<PanelState, { ok: false }> }) {
  return (
    <p className={`alert ${state.kind === "not_configured" ? "warn" : "error"}`} role="status" data-testid="panel-problem">
      <strong>{WHAT[state.kind] ?? "Unavailable"}:</strong> {state.message}
    </p>
  );
}
