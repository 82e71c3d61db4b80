"use client";
import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useConfirm } from "@/app/_components/confirm";
import { useCan } from "@/app/_components/identity";
import { useNearViewport } from "@/app/_components/use-near-viewport";
import { LocalTime } from "@/app/_components/local-time";
import type { SyncRunView } from "@/server/sync/runs";
import { api, type ConsistencyView, type Finding, type Fix, type HorizonConfigChange, type HorizonReport } from "./api";

const KIND: Record<Finding["kind"], string> = {
  "a-without-ptr": "A without PTR",
  "ptr-without-a": "PTR without A",
  "ptr-other-host": "PTR names another host",
  "cname-dangling": "CNAME into nothing",
  "instance-differs": "replica differs",
};

type ConfigFix = { kind: "stack-config"; change: HorizonConfigChange; baseRevision: number | null };

/** Starts what a fix asks for and returns the run to follow (record change, zone sync, Split Horizon sync or change). */
async function startFix(fix: Fix | { kind: "split-horizon-sync" } | ConfigFix): Promise<SyncRunView> {
  if (fix.kind === "stack-config") return (await api<{ run: SyncRunView }>("/api/v1/consistency/split-horizon", { method: "POST", body: { ...fix.change, baseRevision: fix.baseRevision, wait: false } })).run;
  if (fix.kind === "zone-sync") return api<SyncRunView>("/api/v1/sync/zones", { method: "POST", body: { wait: false } });
  if (fix.kind === "split-horizon-sync") return api<SyncRunView>("/api/v1/sync/split-horizon", { method: "POST", body: { wait: false } });
  const base = `/api/v1/zones/${encodeURIComponent(fix.zone)}/records`;
  if (fix.op === "add") return api<SyncRunView>(base, { method: "POST", body: { name: fix.name, type: fix.type, value: fix.value, ttl: 3600, wait: false } });
  const one = `${base}/${encodeURIComponent(fix.name)}/${fix.type}`;
  if (fix.op === "update") return api<SyncRunView>(one, { method: "PUT", body: { current: fix.current, value: fix.value, ttl: 3600, wait: false } });
  return api<SyncRunView>(one, { method: "DELETE", body: { value: fix.value, wait: false } });
}

/**
 * The consistency report under the zones: records whose PTR, CNAME or replica copy disagrees, and what LAN clients
 * get for the non-proxied public names from each instance. Operators fix with one click where the fix is safe; the
 * run it starts is followed like any other (the page's run panel).
 */
export function ConsistencyPanel({ onRun }: { onRun: (id: number) => void }) {
  const canOperate = useCan("operator");
  const canAdmin = useCan("admin");
  const [names, setNames] = useState("");
  const [asked, setAsked] = useState("");
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [confirmDialog, confirm] = useConfirm();
  // the report reads every zone on every instance: asked for once the panel comes near the viewport, not with the page
  const [ref, near] = useNearViewport<HTMLElement>("300px");
  const report = useQuery({
    enabled: near,
    queryKey: ["consistency", asked],
    queryFn: () => api<ConsistencyView>(`/api/v1/consistency?${new URLSearchParams({ fresh: "1", ...(asked ? { names: asked } : {}) })}`),
    refetchInterval: 120_000,
  });

  async function run(key: string, title: string, body: string, fix: Fix | { kind: "split-horizon-sync" } | ConfigFix) {
    if (!(await confirm({ title, body, confirmLabel: title }))) return;
    setBusy(key);
    setError(null);
    try {
      onRun((await startFix(fix)).id);
    } catch (err) {
      setError(`${title}: ${(err as Error).message}. Nothing was changed by this click; refresh the report and try again.`);
    } finally {
      setBusy(null);
    }
  }

  const recs = report.data?.records;
  const sh = report.data?.splitHorizon;
  return (
    <section ref={ref} className="panel" id="consistency" data-testid="consistency" style={{ marginTop: 14 }}>
      <div className="row">
        <h2 style={{ margin: 0 }}>Consistency</h2>
        <button type="button" className="secondary" onClick={() => report.refetch()} disabled={report.isFetching} data-testid="consistency-refresh">
          {report.isFetching && <span className="spinner" />} Check again
        </button>
        {recs?.ok && <span className="small muted">Checked <LocalTime at={recs.value.checkedAt} part="time" />: {recs.value.records} records in {recs.value.zones.length} zones.</span>}
      </div>
      {confirmDialog}
      {error && (
        <p className="alert error" role="alert">
          {error}
        </p>
      )}
      {report.error && (
        <p className="alert error" role="alert">
          Cannot check: {(report.error as Error).message}
        </p>
      )}
      {near && !report.data && !report.error && (
        <p className="muted">
          <span className="spinner" /> Reading every zone on the three instances and asking the Internet for the public names…
        </p>
      )}
      {!canOperate && report.data && <p className="small muted">Fixing needs the operator role; you can see what is wrong.</p>}

      <h3>Records</h3>
      {recs && !recs.ok && <p className="alert error">The records could not be checked: {recs.error}</p>}
      {recs?.ok && recs.value.unreadable.map((u) => <p key={u.instance} className="alert warn">{u.instance} could not be read, so its copies are not compared: {u.error}</p>)}
      {recs?.ok && recs.value.findings.length === 0 && <p data-testid="consistency-clean">Every A/AAAA has its PTR, every PTR names a host with that address, every CNAME ends somewhere, and the replicas hold what the primary holds.</p>}
      {recs?.ok && recs.value.findings.length > 0 && (
        <div className="table-wrap">
          <table className="table" data-testid="consistency-findings">
            <thead>
              <tr>
                <th>What</th>
                <th>Where</th>
                <th>Detail</th>
                <th>Fix</th>
              </tr>
            </thead>
            <tbody>
              {recs.value.findings.map((f, i) => {
                const key = `${f.kind}|${f.name}|${f.instance ?? ""}|${f.value ?? ""}`;
                return (
                  <tr key={key} data-kind={f.kind} data-name={f.name} data-severity={f.severity}>
                    <td>
                      <span className={`badge ${f.severity === "warn" ? "badge-warning" : ""}`}>{KIND[f.kind]}</span>
                    </td>
                    <td className="mono small" style={{ minWidth: 200, overflowWrap: "break-word" }}>
                      {f.name}
                      {f.type && ` ${f.type}`}
                      {f.instance && <div className="muted">on {f.instance}</div>}
                    </td>
                    <td className="small">{f.detail}</td>
                    <td>
                      {f.fix && canOperate ? (
                        <button
                          type="button"
                          className="secondary"
                          disabled={busy !== null}
                          data-testid={`fix-${i}`}
                          onClick={() => run(key, f.fix!.label, f.fix!.kind === "zone-sync" ? "Transfers every zone from the primary to the replicas now (the same run as Technitium → Sync zones)." : `dnsdeck changes it on the primary, asks the replicas to resync and resolves it at every instance until they agree.`, f.fix!)}
                        >
                          {busy === key && <span className="spinner" />} {f.fix.label}
                        </button>
                      ) : f.fix ? (
                        <span className="small muted">{f.fix.label}</span>
                      ) : (
                        <span className="small muted">by hand</span>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}

      <h3>Split Horizon for LAN clients</h3>
      {sh && !sh.ok && <p className="alert error">Split Horizon could not be checked: {sh.error}</p>}
      {sh?.ok && (
        <HorizonView
          h={sh.value}
          canOperate={canOperate}
          canAdmin={canAdmin}
          busy={busy !== null}
          onSync={() => run("sh", "Run Split Horizon sync", "Writes the stack config's Split Horizon and rebinding-protection configs to every instance (the same run as Technitium → Split Horizon sync).", { kind: "split-horizon-sync" })}
          onConfigFix={(label, change) =>
            run("shc", "Save the change and run Split Horizon sync", `${label}. dnsdeck saves it as a new stack config revision (you can roll it back from Stack), then writes it to every instance with the Split Horizon sync.`, { kind: "stack-config", change, baseRevision: sh.value.configRevision })
          }
        />
      )}
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          setAsked(names.trim());
        }}
      >
        <input type="text" value={names} onChange={(e) => setNames(e.target.value)} placeholder="also check: mail.viktorbarzin.me, wg.viktorbarzin.me" aria-label="also check these public names" maxLength={2000} style={{ minWidth: 360 }} data-testid="horizon-names" />
        <button type="submit" className="secondary" data-testid="horizon-check">
          Check these names
        </button>
      </form>
    </section>
  );
}

function HorizonView({ h, canOperate, canAdmin, busy, onSync, onConfigFix }: { h: HorizonReport; canOperate: boolean; canAdmin: boolean; busy: boolean; onSync: () => void; onConfigFix: (label: string, change: HorizonConfigChange) => void }) {
  const instances = Object.keys(h.translated);
  const checked = h.names.filter((n) => n.kind === "non-proxied");
  return (
    <div data-testid="horizon" data-verdict={h.verdict}>
      <p className="small muted">
        Names: {h.source || "none"}. Computed for a client at {h.client} ({h.lanNetwork}) from each instance&apos;s live configs. The Internet answers{" "}
        {h.publicIps.join(", ") || "no public address"} for the non-proxied ones; the stack config translates {h.desiredTranslated.join(", ") || "nothing"}.
      </p>
      {h.verdict === "ok" && <p className="alert ok">LAN clients get the internal address for all {checked.length} non-proxied names from every instance.</p>}
      {h.problems.map((p, i) => {
        const fix = p.fix;
        return (
        <div key={i} className={`alert ${p.kind === "config-unreadable" ? "warn" : "error"}`} data-testid="horizon-problem" data-kind={p.kind}>
          <div>{p.detail}</div>
          {fix?.kind === "split-horizon-sync" &&
            (canOperate ? (
              <button type="button" onClick={onSync} disabled={busy} style={{ marginTop: 6 }} data-testid="horizon-sync">
                {fix.label}
              </button>
            ) : (
              <div className="small">{fix.label} (operator).</div>
            ))}
          {fix?.kind === "stack-config" && (
            <div className="small" style={{ marginTop: 6 }}>
              {fix.label}: set <code>{fix.field}</code> to <code>{fix.suggestion}</code>.{" "}
              {canAdmin ? (
                <button type="button" onClick={() => onConfigFix(`Set ${fix.field} to ${fix.suggestion}`, fix.change)} disabled={busy} data-testid="horizon-config-fix">
                  Save the change and run Split Horizon sync
                </button>
              ) : (
                <>An admin can make it here or in <Link href="/stack">Stack → config</Link>.</>
              )}
            </div>
          )}
        </div>
        );
      })}
      {checked.length > 0 && (
        <div className="table-wrap">
          <table className="table small" data-testid="horizon-names-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>On the Internet</th>
                {instances.map((i) => (
                  <th key={i}>LAN gets from {i}</th>
                ))}
              </tr>
            </thead>
            <tbody>
              {checked.map((n) => (
                <tr key={n.name} data-name={n.name}>
                  <td className="mono">{n.name}</td>
                  <td className="mono">{n.publicAnswer.join(", ")}</td>
                  {instances.map((i) => {
                    const l = n.lan?.[i];
                    return (
                      <td key={i} className="mono" data-instance={i} data-ok={l?.ok ? "yes" : "no"} title={l?.steps.join("\n")} style={{ color: l?.ok ? "var(--ok)" : "var(--bad)" }}>
                        {l ? l.answers.join(", ") || "(no address)" : "?"}
                      </td>
                    );
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {h.names.some((n) => n.kind !== "non-proxied") && (
        <p className="small muted">
          Not translated, rightly: {h.names.filter((n) => n.kind !== "non-proxied").map((n) => `${n.name} (${n.kind})`).join(", ")}.
        </p>
      )}
    </div>
  );
}
