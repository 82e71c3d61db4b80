"use client";
import type { ZoneRow, ZonesView } from "./api";

const acl = (l?: string[]) => (l && l.length ? l.join(", ") : "—");

function Serial({ row, instance }: { row: ZoneRow; instance: string }) {
  const s = row.serials[instance];
  if (!s) return <td className="muted">—</td>;
  if (s.api === null && s.type === undefined && !s.error) return <td className="badge-missing small">missing</td>;
  const want = row.serials[Object.keys(row.serials)[0]]?.api;
  const ok = s.api === want && s.dns === want;
  return (
    <td className={`mono small ${ok ? "" : "badge-drifted"}`} data-testid={`serial-${row.name}-${instance}`} title={s.error}>
      {s.api ?? "—"} / {s.dns ?? "—"}
      {s.error && <div className="small muted">{s.error}</div>}
    </td>
  );
}

export function ZonesTable({ view, selected, onSelect }: { view: ZonesView; selected: string | null; onSelect: (zone: string) => void }) {
  const names = view.instances.map((i) => i.name);
  return (
    <>
      {view.instances
        .filter((i) => !i.up)
        .map((i) => (
          <p key={i.name} className="alert warn" role="alert">
            {i.name} is not answering: {i.error}
          </p>
        ))}
      <table className="table" data-testid="zones-table">
        <thead>
          <tr>
            <th>Zone</th>
            <th>Type</th>
            <th>Records</th>
            {names.map((n) => (
              <th key={n}>Serial on {n} (API / DNS)</th>
            ))}
            <th>Zone transfer</th>
            <th>Notify</th>
            <th>Dynamic updates</th>
          </tr>
        </thead>
        <tbody>
          {view.zones.map((z) => (
            <tr key={z.name} data-zone={z.name} data-in-step={z.inStep} className={selected === z.name ? "selected" : undefined}>
              <td>
                <button type="button" className="link mono" onClick={() => onSelect(z.name)} data-testid={`open-zone-${z.name}`}>
                  {z.name}
                </button>{" "}
                {z.inStep ? <span className="badge badge-converged">in step</span> : <span className="badge badge-drifted">differs</span>}
              </td>
              <td>{z.type}</td>
              <td>{z.recordCount ?? "?"}</td>
              {names.map((n) => (
                <Serial key={n} row={z} instance={n} />
              ))}
              <td className="small">
                {z.options?.zoneTransfer ?? z.optionsError ?? "?"}
                {z.options?.zoneTransferNetworkACL?.length ? <div className="muted">{acl(z.options.zoneTransferNetworkACL)}</div> : null}
              </td>
              <td className="small">
                {z.options?.notify ?? "?"}
                {z.options?.notifyNameServers?.length ? <div className="muted">{acl(z.options.notifyNameServers)}</div> : null}
                {z.options?.notifyFailed ? <div className="badge-failed">failed for {acl(z.options.notifyFailedFor)}</div> : null}
              </td>
              <td className="small" data-testid={`update-acl-${z.name}`}>
                {z.options?.update ?? "?"}
                {z.options?.updateNetworkACL?.length ? <div className="muted">{acl(z.options.updateNetworkACL)}</div> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
