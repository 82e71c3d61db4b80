"use client";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useCan } from "@/app/_components/identity";
import { RECORD_TYPES } from "@/k8s/records";
import { api, OWNER_LABEL, type RecordView, type RecordsView } from "./api";
import { RecordForm, type Editing } from "./record-form";

/** One zone's records: search, filter by type, and (operator) add / edit / delete with proof. */
export function RecordsPanel({ zone, zoneNames, onRun }: { zone: string; zoneNames: string[]; onRun: (id: number) => void }) {
  const canOperate = useCan("operator");
  const [q, setQ] = useState("");
  const [type, setType] = useState("");
  const [editing, setEditing] = useState<Editing | null>(null);
  const params = new URLSearchParams({ ...(q.trim() ? { q: q.trim() } : {}), ...(type ? { type } : {}) });
  const records = useQuery({
    queryKey: ["records", zone, q.trim(), type],
    queryFn: () => api<RecordsView>(`/api/v1/zones/${encodeURIComponent(zone)}/records?${params}`),
  });
  const instances = records.data?.instances.map((i) => i.name) ?? [];
  return (
    <section className="panel" data-testid="records-panel" data-zone={zone}>
      <div className="row">
        <h2 style={{ margin: 0 }} className="mono">
          {zone}
        </h2>
        {records.data && <span className="small muted">serial {records.data.soaSerial ?? "?"} on the primary</span>}
        <input type="search" placeholder="search name or value" value={q} onChange={(e) => setQ(e.target.value)} aria-label="search records" data-testid="records-search" />
        <select value={type} onChange={(e) => setType(e.target.value)} aria-label="record type" data-testid="records-type">
          <option value="">all types</option>
          {[...RECORD_TYPES, "SOA"].map((t) => (
            <option key={t}>{t}</option>
          ))}
        </select>
        {canOperate && (
          <button type="button" onClick={() => setEditing({ op: "add" })} data-testid="record-add">
            Add record
          </button>
        )}
      </div>
      {!canOperate && <p className="small muted">You can look; changing records needs the operator role.</p>}
      {editing && <RecordForm key={JSON.stringify(editing)} zone={zone} zoneNames={zoneNames} editing={editing} onClose={() => setEditing(null)} onRun={(id) => (setEditing(null), onRun(id))} />}
      {records.error && (
        <p className="alert error" role="alert">
          {(records.error as Error).message}
        </p>
      )}
      {records.data?.instances
        .filter((i) => !i.up)
        .map((i) => (
          <p key={i.name} className="alert warn">
            {i.name}: {i.error}
          </p>
        ))}
      {records.data && (
        <table className="table" data-testid="records-table" style={{ marginTop: 10 }}>
          <thead>
            <tr>
              <th>Name</th>
              <th>Type</th>
              <th>TTL</th>
              <th>Value</th>
              <th>Written by</th>
              {instances.map((n) => (
                <th key={n}>{n}</th>
              ))}
              {canOperate && <th />}
            </tr>
          </thead>
          <tbody>
            {records.data.records.map((r: RecordView, i) => (
              <tr key={i} data-name={r.name} data-type={r.type} data-value={r.value}>
                <td className="mono">{r.name}</td>
                <td>{r.type}</td>
                <td>{r.ttl}</td>
                <td className="mono small">{r.value}</td>
                <td className="small" title={r.comments} data-testid="record-owner" data-owner={r.owner}>
                  {OWNER_LABEL[r.owner]}
                </td>
                {instances.map((n) => (
                  <td key={n}>{r.instances?.[n] ? <span className="badge badge-ok">✓</span> : <span className="badge badge-missing">missing</span>}</td>
                ))}
                {canOperate && (
                  <td>
                    {r.type !== "SOA" && (RECORD_TYPES as readonly string[]).includes(r.type) && (
                      <span className="row">
                        <button type="button" className="secondary" onClick={() => setEditing({ op: "update", record: r })} data-testid="record-edit">
                          Edit
                        </button>
                        <button type="button" className="secondary" onClick={() => setEditing({ op: "delete", record: r })} data-testid="record-delete">
                          Delete
                        </button>
                      </span>
                    )}
                  </td>
                )}
              </tr>
            ))}
            {records.data.records.length === 0 && (
              <tr>
                <td colSpan={6 + instances.length} className="muted">
                  No records match.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      )}
    </section>
  );
}
