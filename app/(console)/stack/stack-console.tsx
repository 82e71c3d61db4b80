"use client";
import { LocalTime } from "@/app/_components/local-time";
import { useConfirm } from "@/app/_components/confirm";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { Fragment, Suspense, use, useState } from "react";
import { useSearchParams } from "next/navigation";
import { useCan } from "@/app/_components/identity";
import { useSeed } from "@/app/_components/use-seed";
import type { ConfigRevision } from "@/server/stack/config-store";
import { api, type ApplyView, DiffView, STATE_LABEL, type StackPlan } from "./api";
import { ConfigEditor } from "./config-editor";
import { HistoryPanel } from "./history-panel";
import { RunPanel } from "./run-panel";

type Tab = "objects" | "config" | "history";

type PlanView = StackPlan & { configRevision: { id: number | null; note: string | null } };

export function StackConsole({ initialConfig, initialLock, initialPlan }: { initialConfig: ConfigRevision; initialLock: string | null; initialPlan: Promise<PlanView | undefined> }) {
  const [tab, setTab] = useState<Tab>("objects");
  const [runId, setRunId] = useState<number | null>(null);
  const qc = useQueryClient();
  const started = (id: number) => {
    setRunId(id);
    qc.invalidateQueries({ queryKey: ["stack-history"] });
  };
  return (
    <>
      {initialLock && !runId && (
        <p className="alert warn" data-testid="lock-banner">
          A stack operation is running now: {initialLock}. Applies are refused until it finishes.
        </p>
      )}
      {runId !== null && (
        <RunPanel
          id={runId}
          onRollback={started}
          onClose={() => {
            setRunId(null);
            qc.invalidateQueries({ queryKey: ["stack-plan"] });
          }}
        />
      )}
      <nav className="tabs" role="tablist">
        {(["objects", "config", "history"] as Tab[]).map((t) => (
          <button key={t} type="button" role="tab" aria-selected={tab === t} className={tab === t ? "active" : undefined} onClick={() => setTab(t)} data-testid={`tab-${t}`}>
            {t === "objects" ? "Objects & plan" : t === "config" ? "Config" : "History"}
          </button>
        ))}
      </nav>
      {tab === "objects" && (
        <Suspense fallback={<PlanProgress />}>
          <ObjectsPanel onStarted={started} initialPlan={initialPlan} />
        </Suspense>
      )}
      {tab === "config" && <ConfigEditor initial={initialConfig} onSaved={() => qc.invalidateQueries({ queryKey: ["stack-plan"] })} />}
      {tab === "history" && <HistoryPanel onOpen={setRunId} onStarted={started} />}
    </>
  );
}

const PlanProgress = () => (
  <p>
    <span className="spinner" /> Comparing every object with the cluster (server-side dry run)…
  </p>
);

function ObjectsPanel({ onStarted, initialPlan: planPromise }: { onStarted: (id: number) => void; initialPlan: Promise<PlanView | undefined> }) {
  const initialPlan = use(planPromise); // the server's plan, streamed with the page
  const [confirmDialog, ask] = useConfirm();
  const isAdmin = useCan("admin");
  const [open, setOpen] = useState<Set<string>>(new Set());
  const [confirm, setConfirm] = useState<null | { takeOwnership: boolean; objects?: string[] }>(null);
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [components, setComponents] = useState<Set<string>>(new Set(["nodelocal", "coredns", "technitium"]));
  // Objects whose fields another manager owns are never applied without saying so: the Apply dialog lists them with
  // their owner and leaves them out unless "take ownership" is ticked for each (pre-ticked when the CoreDNS page's
  // save chose it: /stack?take=<object keys>).
  const search = useSearchParams();
  const [take, setTake] = useState<Set<string>>(() => new Set((search.get("take") ?? "").split(",").map((k) => k.trim()).filter(Boolean)));
  // the server's plan (page.tsx) is the first screen; Plan and every change ask again
  const plan = useQuery({ queryKey: ["stack-plan"], queryFn: () => api<PlanView>("/api/v1/stack/plan"), ...useSeed(initialPlan) });
  const toggle = (k: string) => setOpen((s) => (s.has(k) ? new Set([...s].filter((x) => x !== k)) : new Set([...s, k])));
  const apply = async () => {
    if (!confirm) return;
    setBusy(true);
    setErr(null);
    try {
      const leftOut = foreign.filter((o) => !take.has(o.key));
      const objects = confirm.objects ?? (p && (components.size < 3 || leftOut.length) ? p.objects.filter((o) => components.has(o.component) && !leftOut.includes(o)).map((o) => o.key) : undefined);
      if (objects && objects.length === 0) throw new Error(leftOut.length ? "every chosen object is left to its other manager: tick “take ownership” or choose another component" : "choose at least one component to apply");
      const takeOwnership = confirm.takeOwnership || foreign.some((o) => take.has(o.key));
      const r = await api<ApplyView>("/api/v1/stack/apply", { method: "POST", body: { takeOwnership: takeOwnership || undefined, objects } });
      setConfirm(null);
      onStarted(r.id);
    } catch (e) {
      setErr((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const restart = async (o: { kind: string; namespace: string; name: string }) => {
    if (!(await ask({ title: `Restart ${o.kind} ${o.namespace}/${o.name}?`, body: "Every pod restarts. It rolls like any template change (one node at a time for a DaemonSet).", confirmLabel: "Restart", danger: true }))) return;
    setBusy(true);
    setErr(null);
    setNote(null);
    try {
      const r = await api<{ restartedAt: string }>("/api/v1/stack/restart", { method: "POST", body: { kind: o.kind, namespace: o.namespace, name: o.name } });
      setNote(`${o.kind} ${o.namespace}/${o.name} restarted at ${r.restartedAt}; the next apply keeps this (separate field manager).`);
    } catch (e) {
      setErr((e as Error).message);
    } finally {
      setBusy(false);
    }
  };
  const p = plan.data;
  const foreign = !confirm || confirm.takeOwnership ? [] : (p?.objects ?? []).filter((o) => o.state === "conflict" && components.has(o.component));
  const changes = p ? p.objects.filter((o) => o.state !== "in-sync").length : 0;
  return (
    <section>
      {confirmDialog}
      <div className="row" style={{ marginBottom: 10 }}>
        <button type="button" onClick={() => plan.refetch()} disabled={plan.isFetching} data-testid="plan-button">
          {plan.isFetching ? (
            <>
              <span className="spinner" /> Planning (dry run per object)…
            </>
          ) : (
            "Plan / refresh drift"
          )}
        </button>
        <button
          type="button"
          data-testid="apply-button"
          disabled={!isAdmin || !p || busy}
          title={isAdmin ? undefined : "Applying needs the admin role"}
          onClick={() => {
            const pending = new Set((p?.objects ?? []).filter((o) => o.state !== "in-sync").map((o) => o.component));
            setComponents(pending.size ? pending : new Set(["nodelocal", "coredns", "technitium"]));
            setConfirm({ takeOwnership: false });
          }}
        >
          Apply…
        </button>
        {p && (
          <span className="small muted" data-testid="plan-summary">
            config revision {p.configRevision.id ?? "defaults"} · {p.summary["in-sync"]} in sync · {p.summary.drifted} drifted · {p.summary.missing} missing ·{" "}
            {p.summary.conflict} owned by someone else{p.summary["preview-unavailable"] ? ` · ${p.summary["preview-unavailable"]} preview unavailable` : ""}
            {p.summary.error ? ` · ${p.summary.error} errors` : ""} · planned <LocalTime at={p.generatedAt} part="time" />
          </span>
        )}
      </div>
      {confirm && (
        <div className="alert warn" data-testid="apply-confirm">
          <p>
            {confirm.takeOwnership ? (
              <>
                <strong>Take ownership</strong> of {confirm.objects?.join(", ") ?? "every object"}: dnsdeck will force its values over the fields owned by other managers
                (Terraform, kubeadm…). Remove those objects from the other tool, or it will fight back.
              </>
            ) : (
              <>
                Apply config revision {p?.configRevision.id ?? "(defaults)"}: {changes} of {p?.objects.length ?? 0} objects change. Objects are applied one by one; workloads roll
                out node by node and the apply stops at the first node whose cache does not answer DNS.
                <span className="row" data-testid="apply-components">
                  Components:
                  {(["technitium", "coredns", "nodelocal"] as const).map((c) => (
                    <label key={c}>
                      <input
                        type="checkbox"
                        checked={components.has(c)}
                        onChange={(e) => setComponents((cur) => (e.target.checked ? new Set([...cur, c]) : new Set([...cur].filter((x) => x !== c))))}
                        data-testid={`apply-component-${c}`}
                      />{" "}
                      {c} ({p?.objects.filter((o) => o.component === c && o.state !== "in-sync").length ?? 0} to change)
                    </label>
                  ))}
                </span>
              </>
            )}
          </p>
          {foreign.length > 0 && (
            <div data-testid="apply-foreign-owners">
              <p>
                <strong>
                  {foreign.length} {foreign.length === 1 ? "object has" : "objects have"} fields another manager owns.
                </strong>{" "}
                They are left to that manager (not applied) unless you take ownership; taking it forces dnsdeck&apos;s values, and the other tool will put
                its own back unless you remove the object from it.
              </p>
              <ul>
                {foreign.map((o) => {
                  const who = [...new Set((o.conflicts ?? []).map((c) => c.manager))].join(", ") || "another manager";
                  return (
                    <li key={o.key} data-testid="apply-foreign-object" data-key={o.key}>
                      <span className="mono">{o.key}</span>: {(o.conflicts ?? []).map((c) => c.field).join(", ")} owned by <strong>{who}</strong> —{" "}
                      <label>
                        <input
                          type="checkbox"
                          checked={take.has(o.key)}
                          onChange={(e) => setTake((cur) => (e.target.checked ? new Set([...cur, o.key]) : new Set([...cur].filter((k) => k !== o.key))))}
                          data-testid="apply-take-ownership"
                        />{" "}
                        take ownership from {who}
                      </label>{" "}
                      <span className="small muted" data-testid="apply-foreign-choice">
                        {take.has(o.key) ? "(applied, forcing dnsdeck's values)" : `(left to ${who}, not applied)`}
                      </span>
                    </li>
                  );
                })}
              </ul>
            </div>
          )}
          <div className="row">
            <button type="button" onClick={apply} disabled={busy} data-testid="apply-confirm-button">
              {busy ? <span className="spinner" /> : null} {confirm.takeOwnership ? "Take ownership and apply" : "Apply now"}
            </button>
            <button type="button" onClick={() => setConfirm(null)} disabled={busy}>
              Cancel
            </button>
          </div>
        </div>
      )}
      {err && (
        <p className="alert error" role="alert" data-testid="apply-refused">
          {err}
        </p>
      )}
      {note && (
        <p className="alert ok" role="status">
          {note}
        </p>
      )}
      {plan.error && (
        <p className="alert error" role="alert">
          The plan failed: {(plan.error as Error).message}
        </p>
      )}
      {plan.isLoading && <PlanProgress />}
      {p && (
        <table className="table" data-testid="stack-objects">
          <thead>
            <tr>
              <th>Component</th>
              <th>Object</th>
              <th>State</th>
              <th>Changes</th>
              <th>Owners of changed fields</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {p.objects.map((o) => {
              // owners of fields that exist live (an added field has none); admission-set fields are owned by nobody
              const owners = [
                ...new Set([...o.changes.flatMap((c) => c.owners.map((x) => x.manager)), ...o.external.flatMap((c) => (c.owners.length ? c.owners.map((x) => x.manager) : ["nobody (admission)"]))]),
              ];
              return (
                <Fragment key={o.key}>
                  <tr data-testid="stack-object" data-key={o.key} data-state={o.state}>
                    <td>{o.component}</td>
                    <td className="mono small">{o.key}</td>
                    <td>
                      <span className={`badge badge-${o.state}`} data-testid="object-state">
                        {STATE_LABEL[o.state] ?? o.state}
                      </span>
                      {o.external.length > 0 && (
                        <span className="badge badge-drifted" title="fields changed outside dnsdeck that an apply keeps">
                          {" "}
                          drift outside intent
                        </span>
                      )}
                      {(o.ignored?.length ?? 0) > 0 && (
                        <span className="badge" data-testid="object-ignored-badge" title="differences the stack config's ignoreDifferences leaves alone: never drift, never taken back">
                          {" "}
                          {o.ignored!.length} ignored
                        </span>
                      )}
                    </td>
                    <td>{o.state === "missing" ? "create" : o.changes.length || ""}</td>
                    <td className="small">{owners.join(", ")}</td>
                    <td className="row">
                      <button type="button" onClick={() => toggle(o.key)}>
                        {open.has(o.key) ? "Hide" : "Diff"}
                      </button>
                      {(o.kind === "DaemonSet" || o.kind === "Deployment") && o.state !== "missing" && (
                        <button type="button" disabled={!isAdmin || busy} title={isAdmin ? "rollout restart (field manager dnsdeck-restart)" : "needs the admin role"} onClick={() => restart(o)} data-testid="restart-button">
                          Restart
                        </button>
                      )}
                    </td>
                  </tr>
                  {open.has(o.key) && (
                    <tr>
                      <td colSpan={6}>
                        {o.message && <p className={o.state === "error" || o.state === "conflict" ? "error-text" : "warn-text"}>{o.message}</p>}
                        {o.warnings?.map((w) => (
                          <p key={w} className="warn-text" data-testid="plan-warning">
                            Warning from the API server: {w}
                          </p>
                        ))}
                        {o.conflicts && (
                          <div data-testid="object-conflicts">
                            <ul className="small">
                              {o.conflicts.map((c) => (
                                <li key={c.field + c.manager}>
                                  <code>{c.field}</code> is owned by <strong>{c.manager}</strong>
                                </li>
                              ))}
                            </ul>
                            <button type="button" disabled={!isAdmin} title={isAdmin ? undefined : "needs the admin role"} onClick={() => setConfirm({ takeOwnership: true, objects: [o.key] })} data-testid="take-ownership">
                              Take ownership…
                            </button>
                            {o.diff && <p className="small muted">If dnsdeck takes ownership, this changes:</p>}
                          </div>
                        )}
                        <DiffView text={o.diff} />
                        {o.changes.length > 0 && (
                          <table className="table small">
                            <thead>
                              <tr>
                                <th>Field</th>
                                <th>Change</th>
                                <th>Owned now by</th>
                              </tr>
                            </thead>
                            <tbody>
                              {o.changes.map((c) => (
                                <tr key={c.path}>
                                  <td className="mono">{c.path}</td>
                                  <td>{c.change}</td>
                                  <td>{c.owners.length ? c.owners.map((x) => `${x.manager} (${x.operation})`).join(", ") : "nobody"}</td>
                                </tr>
                              ))}
                            </tbody>
                          </table>
                        )}
                        {(o.ignored?.length ?? 0) > 0 && (
                          <>
                            <p className="small muted">Ignored by the stack config (ignoreDifferences) — not drift; an apply never sets or takes these back:</p>
                            <ul className="small muted" data-testid="object-ignored">
                              {o.ignored!.map((c) => (
                                <li key={c.path}>
                                  <code>{c.path}</code> — ignored; {c.owners.length ? `owned by ${c.owners.map((x) => x.manager).join(", ")}` : "owned by nobody: set by an admission webhook (e.g. Kyverno)"}
                                </li>
                              ))}
                            </ul>
                          </>
                        )}
                        {o.external.length > 0 && (
                          <>
                            <p className="small">Changed outside dnsdeck (an apply keeps these):</p>
                            <ul className="small" data-testid="object-external">
                              {o.external.map((c) => (
                                <li key={c.path}>
                                  <code>{c.path}</code> — {c.owners.length
                                    ? c.owners.map((x, i) => (
                                        <Fragment key={i}>
                                          {i ? ", " : ""}
                                          {x.manager} ({x.operation}
                                          {x.time ? <>, <LocalTime at={x.time} /></> : null})
                                        </Fragment>
                                      ))
                                    : "owned by nobody: set by an admission webhook (e.g. Kyverno)"}
                                </li>
                              ))}
                            </ul>
                          </>
                        )}
                      </td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      )}
    </section>
  );
}
