"use client";
import { LocalTime } from "@/app/_components/local-time";
import { useConfirm } from "@/app/_components/confirm";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useCan } from "@/app/_components/identity";
import { useSeed } from "@/app/_components/use-seed";
import { api, ApiError, type RunsPage, type SyncRunView, type TechnitiumStatus } from "./api";
import { CronJobsView } from "./cronjobs-view";
import { InstancesView } from "./instances-view";
import { RunView } from "./run-view";
import { RunsHistory } from "./runs-history";

type Tab = "instances" | "runs" | "cronjobs";
type Kind = "zones" | "split-horizon" | "resolver-settings";

const BUTTONS: { kind: Kind; label: string; path: string; testid: string }[] = [
  { kind: "zones", label: "Sync zones", path: "/api/v1/sync/zones", testid: "sync-zones" },
  { kind: "split-horizon", label: "Sync split horizon", path: "/api/v1/sync/split-horizon", testid: "sync-split-horizon" },
  { kind: "resolver-settings", label: "Apply resolver settings", path: "/api/v1/sync/resolver-settings", testid: "sync-resolver-settings" },
];

export function TechnitiumConsole({ initialRuns, initialStatus }: { initialRuns: RunsPage | null; initialStatus?: TechnitiumStatus }) {
  const [confirmDialog, ask] = useConfirm();
  const canOperate = useCan("operator");
  const qc = useQueryClient();
  const [tab, setTab] = useState<Tab>("instances");
  const [active, setActive] = useState<number | null>(null);
  // once a run starts here, the history the page arrived with is out of date: the Runs tab reads it afresh instead of
  // showing the old first row for a moment (a click on it would open the wrong run)
  const [startedHere, setStartedHere] = useState(false);
  const [starting, setStarting] = useState<Kind | null>(null);
  const [error, setError] = useState<{ message: string; runningId?: number } | null>(null);
  const [removeOrphans, setRemoveOrphans] = useState(false);

  const seedStatus = useSeed(initialStatus);
  const status = useQuery({
    queryKey: ["technitium-status"],
    queryFn: () => api<TechnitiumStatus>("/api/v1/technitium/status"),
    ...seedStatus,
    refetchInterval: 30_000,
  });
  const orphans = (status.data?.zones ?? []).filter((z) => z.reasons.some((r) => r.startsWith("not on the primary")));

  const start = async (b: (typeof BUTTONS)[number]) => {
    setError(null);
    const body: Record<string, unknown> = { wait: false };
    if (b.kind === "zones" && removeOrphans) {
      const list = orphans.map((o) => o.zone).join(", ") || "none known right now";
      if (!(await ask({ title: "Remove orphaned Secondary zones?", body: `Secondary zones that the primary no longer has are deleted from the replicas. This cannot be undone.\n\nOrphans seen: ${list}`, confirmLabel: "Sync and remove orphans", danger: true }))) return;
      body.removeOrphans = true;
    }
    await post(b, body);
  };

  // an interrupted run (its dnsdeck process died): the same sync again, with the same options; syncs are idempotent,
  // so the steps it had done find nothing left to do and it carries on from the step that was in flight
  const resume = async (run: SyncRunView) => {
    const b = BUTTONS.find((x) => x.kind === run.kind);
    if (!b) return;
    setError(null);
    const removeOrphansBefore = run.kind === "zones" && (run.options as { removeOrphans?: boolean } | null)?.removeOrphans === true;
    await post(b, removeOrphansBefore ? { wait: false, removeOrphans: true } : { wait: false });
  };

  const post = async (b: (typeof BUTTONS)[number], body: Record<string, unknown>) => {
    setStarting(b.kind);
    try {
      const run = await api<SyncRunView>(b.path, { method: "POST", body });
      setActive(run.id);
      setStartedHere(true);
      qc.invalidateQueries({ queryKey: ["sync-runs"] });
    } catch (e) {
      const runningId = e instanceof ApiError ? (e.details as { runningId?: number } | undefined)?.runningId : undefined;
      setError({ message: (e as Error).message, runningId });
    } finally {
      setStarting(null);
    }
  };

  return (
    <>
      {confirmDialog}
      <section className="panel" data-testid="sync-actions">
        <div className="row">
          {BUTTONS.map((b) => (
            <button key={b.kind} type="button" disabled={!canOperate || starting !== null} onClick={() => start(b)} data-testid={b.testid} title={canOperate ? undefined : "needs the operator role"}>
              {starting === b.kind && <span className="spinner" />} {b.label}
            </button>
          ))}
          <label className="small" style={{ display: "flex", gap: 6, alignItems: "center" }}>
            <input type="checkbox" checked={removeOrphans} disabled={!canOperate} onChange={(e) => setRemoveOrphans(e.target.checked)} data-testid="remove-orphans" />
            Zone sync also removes orphan zones from the replicas{orphans.length ? ` (${orphans.length} seen)` : ""}
          </label>
          <button type="button" className="secondary" style={{ marginLeft: "auto" }} onClick={() => status.refetch()} disabled={status.isFetching}>
            {status.isFetching && <span className="spinner" />} Refresh status
          </button>
        </div>
        {!canOperate && <p className="small muted">You can look; syncing needs the operator role.</p>}
        {error && (
          <p className="alert error" role="alert" data-testid="sync-error">
            {error.message}
            {error.runningId !== undefined && (
              <>
                {" "}
                <button type="button" className="secondary" onClick={() => (setActive(error.runningId!), setError(null))}>
                  Follow run #{error.runningId}
                </button>
              </>
            )}
          </p>
        )}
      </section>

      {active !== null && (
        <RunView
          key={active}
          id={active}
          onDone={() => {
            qc.invalidateQueries({ queryKey: ["technitium-status"] });
            qc.invalidateQueries({ queryKey: ["sync-runs"] });
          }}
          onClose={() => setActive(null)}
          onResume={canOperate ? resume : undefined}
        />
      )}

      <nav className="tabs" aria-label="Technitium views">
        {(
          [
            ["instances", "Instances"],
            ["runs", "Sync history"],
            ["cronjobs", "CronJobs"],
          ] as const
        ).map(([t, label]) => (
          <button key={t} type="button" className={tab === t ? "active" : undefined} onClick={() => setTab(t)} data-testid={`tab-${t}`}>
            {label}
          </button>
        ))}
      </nav>

      {tab === "instances" && (
        <>
          {status.error && (
            <p className="alert error" role="alert">
              Cannot load the instances: {(status.error as Error).message}
            </p>
          )}
          {!status.data && !status.error && (
            <p className="panel">
              <span className="spinner" /> Asking the three instances (API and DNS)…
            </p>
          )}
          {status.data && <InstancesView status={status.data} />}
          {status.data && <p className="small muted">Checked <LocalTime at={status.data.checkedAt} part="time" />.</p>}
        </>
      )}
      {tab === "runs" && <RunsHistory initial={startedHere ? null : initialRuns} />}
      {tab === "cronjobs" && <CronJobsView />}
    </>
  );
}
