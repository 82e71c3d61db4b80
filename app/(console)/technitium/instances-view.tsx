"use client";
import type { TechnitiumStatus } from "./api";

type Inst = TechnitiumStatus["instances"][number];

function ConfigCell({ part, testid }: { part: Inst["splitHorizon"] | Inst["cache"]; testid: string }) {
  if (!part) return <td className="muted">—</td>;
  if (part.error)
    return (
      <td className="badge-failed small" data-testid={testid} data-state="error">
        {part.error}
      </td>
    );
  if (part.diff.length === 0)
    return (
      <td data-testid={testid} data-state="in-step">
        <span className="badge badge-ok">as desired</span>
      </td>
    );
  return (
    <td data-testid={testid} data-state="differs" style={{ background: "#2a2410" }}>
      <span className="badge badge-drifted">differs</span>
      <ul className="small mono" style={{ margin: "4px 0 0", paddingLeft: 16 }}>
        {part.diff.slice(0, 6).map((d, i) => (
          <li key={i}>
            {d.path}: {JSON.stringify(d.actual) ?? "missing"} → {JSON.stringify(d.desired)}
          </li>
        ))}
        {part.diff.length > 6 && <li>…{part.diff.length - 6} more</li>}
      </ul>
    </td>
  );
}

export function InstancesView({ status }: { status: TechnitiumStatus }) {
  const insts = status.instances;
  const counts = new Set(insts.filter((i) => i.up).map((i) => i.zoneCount));
  const versions = new Set(insts.filter((i) => i.up).map((i) => i.version));
  return (
    <>
      {status.converged ? (
        <p className="alert ok" data-testid="status-verdict" data-verdict="converged">
          All instances agree: every zone has the primary&apos;s serial over the API and over DNS, and the app configs and cache settings are as desired.
        </p>
      ) : (
        <div className="alert warn" data-testid="status-verdict" data-verdict="differs">
          <strong>{status.disagreements.length} disagreement(s)</strong>
          <ul data-testid="disagreements" style={{ margin: "4px 0 0" }}>
            {status.disagreements.map((d, i) => (
              <li key={i} className="small">
                {d}
              </li>
            ))}
          </ul>
        </div>
      )}
      {status.desiredError && <p className="alert error">The desired config from the stack is invalid: {status.desiredError}</p>}
      <table className="table" data-testid="instances-table">
        <thead>
          <tr>
            <th />
            {insts.map((i) => (
              <th key={i.name}>
                {i.name}
                {i.primary && i.name.toLowerCase() !== "primary" ? " (primary)" : ""}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          <tr>
            <th>State</th>
            {insts.map((i) => (
              <td key={i.name} data-testid={`instance-${i.name}-state`} data-up={i.up}>
                <span className={`badge badge-${i.up ? "ok" : "down"}`}>{i.up ? "up" : "down"}</span>
                {i.error && <div className="small error-text">{i.error}</div>}
              </td>
            ))}
          </tr>
          <tr>
            <th>Version</th>
            {insts.map((i) => (
              <td key={i.name} className={versions.size > 1 ? "warn-text" : undefined}>
                {i.version ?? "—"}
              </td>
            ))}
          </tr>
          <tr>
            <th>Zones (non-internal)</th>
            {insts.map((i) => (
              <td key={i.name} className={counts.size > 1 ? "warn-text" : undefined} data-testid={`instance-${i.name}-zones`}>
                {i.zoneCount ?? "—"}
              </td>
            ))}
          </tr>
          <tr>
            <th>DNS address</th>
            {insts.map((i) => (
              <td key={i.name} className="mono small">
                {i.dnsAddress ?? "unknown"}
              </td>
            ))}
          </tr>
          <tr>
            <th>Split Horizon</th>
            {insts.map((i) => (
              <ConfigCell key={i.name} part={i.splitHorizon} testid={`instance-${i.name}-split-horizon`} />
            ))}
          </tr>
          <tr>
            <th>DNS Rebinding Protection</th>
            {insts.map((i) => (
              <ConfigCell key={i.name} part={i.rebinding} testid={`instance-${i.name}-rebinding`} />
            ))}
          </tr>
          <tr>
            <th>Cache settings</th>
            {insts.map((i) => (
              <ConfigCell key={i.name} part={i.cache} testid={`instance-${i.name}-cache`} />
            ))}
          </tr>
        </tbody>
      </table>

      <h2>Zones</h2>
      <p className="small muted">Each cell: type · serial from the API · serial from an SOA query over DNS to that instance. Cells that differ from the primary are highlighted.</p>
      <table className="table" data-testid="zones-table">
        <thead>
          <tr>
            <th>Zone</th>
            {insts.map((i) => (
              <th key={i.name}>{i.name}</th>
            ))}
            <th>Verdict</th>
          </tr>
        </thead>
        <tbody>
          {status.zones.map((z) => (
            <tr key={z.zone} data-testid="zone-row" data-zone={z.zone} data-converged={z.converged}>
              <td className="mono">{z.zone}</td>
              {insts.map((i) => {
                const c = z.perInstance[i.name];
                const bad = i.up && (!c?.type || c.apiSerial !== z.primarySerial || c.dnsSerial !== c.apiSerial || (!i.primary && c.type !== "Secondary"));
                return (
                  <td key={i.name} className="mono small" style={bad ? { background: "#2a1515" } : undefined} data-bad={bad || undefined}>
                    {!i.up ? (
                      <span className="muted">down</span>
                    ) : !c?.type ? (
                      <span className="badge badge-missing">missing</span>
                    ) : (
                      <>
                        {c.type} · {c.apiSerial ?? "?"} · <span title={c.note}>{c.dnsSerial ?? "no DNS answer"}</span>
                      </>
                    )}
                  </td>
                );
              })}
              <td>
                {z.converged ? (
                  <span className="badge badge-converged">converged</span>
                ) : (
                  <>
                    <span className="badge badge-drifted">differs</span>
                    <div className="small">{z.reasons.join("; ")}</div>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
