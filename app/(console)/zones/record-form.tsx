"use client";
import { useState } from "react";
import { closestZone, fqdn, parseValue, RECORD_TYPES, type RecordType, relativeNameProblem, reverseName, TTL_MAX, TTL_MIN } from "@/k8s/records";
import type { SyncRunView } from "@/server/sync/runs";
import { api, ApiError, OWNER_LABEL, OWNER_WARNING, type RecordView } from "./api";

export type Editing = { op: "add" } | { op: "update" | "delete"; record: RecordView };

/** Add, edit or delete one record. Validated here with the server's own rules; the server validates again. */
export function RecordForm({ zone, zoneNames, editing, onClose, onRun }: { zone: string; zoneNames: string[]; editing: Editing; onClose: () => void; onRun: (id: number) => void }) {
  const rec = editing.op === "add" ? undefined : editing.record;
  const [name, setName] = useState(rec?.name ?? "");
  const [type, setType] = useState<RecordType>((rec?.type as RecordType) ?? "A");
  const [ttl, setTtl] = useState(String(rec?.ttl ?? 3600));
  const [value, setValue] = useState(rec?.value ?? "");
  const [ptr, setPtr] = useState(editing.op === "add");
  const [force, setForce] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; needsForce?: boolean } | null>(null);

  const nameProblem = name ? relativeNameProblem(name, zone) : null;
  const parsed = value ? parseValue(type, value) : null;
  const ttlN = Number(ttl);
  const ttlProblem = !Number.isInteger(ttlN) || ttlN < TTL_MIN || ttlN > TTL_MAX ? `a whole number of seconds, ${TTL_MIN}–${TTL_MAX}` : null;
  const address = parsed?.ok && (parsed.data.type === "A" || parsed.data.type === "AAAA") ? parsed.data.ipAddress : null;
  const rname = address ? reverseName(address) : null;
  const rzone = rname ? closestZone(rname, zoneNames) : undefined;
  const owner = rec && OWNER_WARNING[rec.owner] ? rec.owner : null;
  const invalid = editing.op !== "delete" && (!name || !!nameProblem || !parsed?.ok || !!ttlProblem);

  const submit = async (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    setBusy(true);
    const base = `/api/v1/zones/${encodeURIComponent(zone)}/records`;
    try {
      const common = { ttl: ttlN, wait: false, ...(force ? { force: true } : {}) };
      const run =
        editing.op === "add"
          ? await api<SyncRunView>(base, { method: "POST", body: { name, type, value, ...common, ...(address && ptr && rzone ? { ptr: true } : {}) } })
          : editing.op === "update"
            ? await api<SyncRunView>(`${base}/${encodeURIComponent(rec!.name)}/${rec!.type}`, { method: "PUT", body: { current: rec!.value, value, ...common, ...(address && ptr && rzone ? { ptr: true } : {}) } })
            : await api<SyncRunView>(`${base}/${encodeURIComponent(rec!.name)}/${rec!.type}`, { method: "DELETE", body: { value: rec!.value, wait: false, ...(force ? { force: true } : {}) } });
      onRun(run.id);
    } catch (err) {
      const details = err instanceof ApiError ? (err.details as { needsForce?: boolean } | undefined) : undefined;
      setError({ message: (err as Error).message, needsForce: details?.needsForce });
    } finally {
      setBusy(false);
    }
  };

  const full = name && !nameProblem ? fqdn(name, zone) : null;
  return (
    <form className="panel" onSubmit={submit} data-testid="record-form" aria-label={`${editing.op} record`} style={{ marginTop: 10 }}>
      <h3 style={{ marginTop: 0 }}>{editing.op === "add" ? "Add a record" : editing.op === "update" ? `Edit ${rec!.name} ${rec!.type}` : `Delete ${rec!.name} ${rec!.type} ${rec!.value}`}</h3>
      {owner && (
        <p className="alert warn" data-testid="owner-warning">
          Written by {OWNER_LABEL[owner]}. {OWNER_WARNING[owner]}
        </p>
      )}
      {editing.op !== "delete" && (
        <div className="row">
          <label>
            Name{" "}
            <input value={name} onChange={(e) => setName(e.target.value)} disabled={editing.op === "update"} placeholder="host (relative), or @" data-testid="record-name" aria-invalid={!!nameProblem} />
            <span className="small muted">.{zone}</span>
          </label>
          <label>
            Type{" "}
            <select value={type} onChange={(e) => setType(e.target.value as RecordType)} disabled={editing.op === "update"} data-testid="record-type">
              {RECORD_TYPES.map((t) => (
                <option key={t}>{t}</option>
              ))}
            </select>
          </label>
          <label>
            TTL <input value={ttl} onChange={(e) => setTtl(e.target.value)} size={7} inputMode="numeric" data-testid="record-ttl" aria-invalid={!!ttlProblem} />
          </label>
          <label style={{ flex: 1 }}>
            Value <input value={value} onChange={(e) => setValue(e.target.value)} style={{ width: "100%" }} placeholder={type === "MX" ? "10 mail.viktorbarzin.me." : type === "A" ? "192.168.1.250" : ""} data-testid="record-value" aria-invalid={!!(value && parsed && !parsed.ok)} />
          </label>
        </div>
      )}
      {nameProblem && <p className="small badge-failed" data-testid="field-error-name">{nameProblem}</p>}
      {ttlProblem && <p className="small badge-failed" data-testid="field-error-ttl">TTL: {ttlProblem}</p>}
      {value && parsed && !parsed.ok && <p className="small badge-failed" data-testid="field-error-value">{parsed.error}</p>}
      {editing.op !== "delete" && address && rname && (
        <label className="small" style={{ display: "block", margin: "6px 0" }}>
          <input type="checkbox" checked={ptr && !!rzone} disabled={!rzone} onChange={(e) => setPtr(e.target.checked)} data-testid="record-ptr" />{" "}
          {rzone ? (
            <>
              Also {editing.op === "update" ? "move" : "set"} the PTR <span className="mono">{rname}</span> → <span className="mono">{full ?? "…"}</span> in {rzone}
            </>
          ) : (
            <>No reverse zone on the primary holds {rname}: the PTR cannot be paired.</>
          )}
        </label>
      )}
      {editing.op === "delete" && (rec!.type === "A" || rec!.type === "AAAA") && (
        <p className="small muted">Technitium also removes the PTR of {rec!.value} when it names this host.</p>
      )}
      {(owner || error?.needsForce) && (
        <label className="small" style={{ display: "block", margin: "6px 0" }}>
          <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} data-testid="record-force" /> Change it anyway (its writer may put it back)
        </label>
      )}
      {error && (
        <p className="alert error" role="alert" data-testid="record-error">
          {error.message}
        </p>
      )}
      <div className="row">
        <button type="submit" disabled={busy || invalid} data-testid="record-submit">
          {busy && <span className="spinner" />} {editing.op === "add" ? "Add and prove" : editing.op === "update" ? "Save and prove" : "Delete and prove"}
        </button>
        <button type="button" className="secondary" onClick={onClose}>
          Cancel
        </button>
      </div>
    </form>
  );
}
