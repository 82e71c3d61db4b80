"use client";
import { LocalTime } from "@/app/_components/local-time";
import { useState } from "react";
import { useCan } from "@/app/_components/identity";
import type { ConfigRevision } from "@/server/stack/config-store";
import { saveStackConfig } from "@/server/stack/actions";
import { getPath, setPath } from "@/app/_components/json-path";

type Json = Record<string, unknown>;

interface Field {
  path: string;
  label: string;
  kind?: "text" | "number" | "list" | "select";
  options?: string[];
  hint?: string;
}

const FIELDS: { group: string; fields: Field[] }[] = [
  {
    group: "NodeLocal DNSCache",
    fields: [
      { path: "nodelocal.linkLocalIp", label: "Link-local IP", hint: "169.254.20.10" },
      { path: "nodelocal.kubeDnsClusterIp", label: "kube-dns ClusterIP (co-listened)", hint: "10.96.0.10" },
      { path: "nodelocal.upstreamServiceName", label: "Upstream Service" },
      { path: "nodelocal.image", label: "node-cache image" },
      { path: "nodelocal.resources.requests.memory", label: "Memory request" },
      { path: "nodelocal.resources.limits.memory", label: "Memory limit" },
      { path: "nodelocal.priorityClassName", label: "Priority class" },
    ],
  },
  {
    group: "CoreDNS",
    fields: [
      { path: "coredns.forwarders", label: "Forwarders (comma-separated)", kind: "list" },
      { path: "coredns.policy", label: "Forward policy", kind: "select", options: ["sequential", "random", "round_robin"] },
      { path: "coredns.healthCheck", label: "health_check" },
      { path: "coredns.maxFails", label: "max_fails", kind: "number" },
      { path: "coredns.cache.serveStale", label: "serve_stale" },
      { path: "coredns.replicas", label: "Replicas", kind: "number" },
      { path: "coredns.internalZone.zone", label: "Internal zone" },
      { path: "coredns.internalZone.forwardTo", label: "Internal zone → Technitium ClusterIP" },
    ],
  },
  {
    group: "Technitium",
    fields: [
      { path: "technitium.services.clusterIp.ip", label: "Pinned ClusterIP" },
      { path: "technitium.services.loadBalancer.ip", label: "LoadBalancer IP" },
      { path: "technitium.cronJobs.zoneSync.schedule", label: "zone-sync schedule" },
    ],
  },
];



export function ConfigEditor({ initial, onSaved }: { initial: ConfigRevision; onSaved: () => void }) {
  const isAdmin = useCan("admin");
  const [draft, setDraft] = useState<Json>(initial.config as unknown as Json);
  const [mode, setMode] = useState<"form" | "json">("form");
  const [jsonText, setJsonText] = useState(() => JSON.stringify(initial.config, null, 2));
  const [jsonError, setJsonError] = useState<string | null>(null);
  const [note, setNote] = useState("");
  const [fields, setFields] = useState<Record<string, string>>({});
  const [msg, setMsg] = useState<{ kind: "ok" | "error"; text: string } | null>(null);
  const [saving, setSaving] = useState(false);
  const [rev, setRev] = useState(initial);

  const switchMode = (m: "form" | "json") => {
    if (m === "json") setJsonText(JSON.stringify(draft, null, 2));
    else {
      try {
        setDraft(JSON.parse(jsonText));
        setJsonError(null);
      } catch (e) {
        setJsonError(`The JSON does not parse: ${(e as Error).message}. Fix it before switching back to the form.`);
        return;
      }
    }
    setMode(m);
  };

  const save = async () => {
    let config: unknown = draft;
    if (mode === "json") {
      try {
        config = JSON.parse(jsonText);
      } catch (e) {
        setJsonError(`The JSON does not parse: ${(e as Error).message}`);
        return;
      }
    }
    setSaving(true);
    setMsg(null);
    setFields({});
    const r = await saveStackConfig({ config, note: note || undefined });
    setSaving(false);
    if (r.ok) {
      setMsg({ kind: "ok", text: `Saved as config revision ${r.data.id}. Plan shows what it changes; Apply rolls it out.` });
      setRev({ ...rev, id: r.data.id, createdAt: r.data.createdAt, createdBy: r.data.createdBy, note: r.data.note });
      setNote("");
      onSaved();
    } else {
      setFields(r.error.fields ?? {});
      setTimeout(() => document.querySelector('[data-testid="field-error"]')?.scrollIntoView({ block: "center" }), 0);
      setMsg({ kind: "error", text: r.error.fields ? "Some fields are invalid; nothing was saved or applied." : r.error.message });
    }
  };

  return (
    <section className="panel" data-testid="config-editor">
      <p className="small muted">
        Desired config: {rev.id ? (
          <>
            revision {rev.id} by {rev.createdBy} at <LocalTime at={rev.createdAt!} />
            {rev.note ? ` — ${rev.note}` : ""}
          </>
        ) : (
          "the built-in defaults (nothing saved yet)"
        )}
      </p>
      <div className="tabs">
        <button type="button" className={mode === "form" ? "active" : undefined} onClick={() => switchMode("form")}>
          Common values
        </button>
        <button type="button" className={mode === "json" ? "active" : undefined} onClick={() => switchMode("json")} data-testid="config-json-tab">
          JSON
        </button>
      </div>
      {mode === "form" ? (
        FIELDS.map((g) => (
          <fieldset key={g.group} className="panel">
            <legend>{g.group}</legend>
            <div className="stack-v">
              {g.fields.map((f) => {
                const v = getPath(draft, f.path);
                const err = fields[f.path];
                return (
                  <label key={f.path} className="row">
                    <span style={{ minWidth: 260 }}>{f.label}</span>
                    {f.kind === "select" ? (
                      <select value={String(v ?? "")} onChange={(e) => setDraft(setPath(draft, f.path, e.target.value))} disabled={!isAdmin} name={f.path}>
                        {f.options!.map((o) => (
                          <option key={o}>{o}</option>
                        ))}
                      </select>
                    ) : (
                      <input
                        className="config-input"
                        name={f.path}
                        data-testid={`field-${f.path}`}
                        aria-invalid={!!err}
                        disabled={!isAdmin}
                        placeholder={f.hint}
                        value={f.kind === "list" ? (Array.isArray(v) ? v.join(", ") : String(v ?? "")) : String(v ?? "")}
                        onChange={(e) => {
                          const raw = e.target.value;
                          const val = f.kind === "number" ? (raw === "" ? undefined : Number(raw)) : f.kind === "list" ? raw.split(",").map((x) => x.trim()).filter(Boolean) : raw;
                          setDraft(setPath(draft, f.path, val));
                        }}
                      />
                    )}
                    {err && (
                      <span className="error-text small" data-testid="field-error" data-field={f.path}>
                        {err}
                      </span>
                    )}
                  </label>
                );
              })}
            </div>
          </fieldset>
        ))
      ) : (
        <>
          <textarea
            className="mono"
            data-testid="config-json"
            value={jsonText}
            onChange={(e) => setJsonText(e.target.value)}
            rows={30}
            style={{ width: "100%" }}
            disabled={!isAdmin}
            spellCheck={false}
          />
          {jsonError && <p className="alert error">{jsonError}</p>}
          {Object.keys(fields).length > 0 && (
            <ul className="error-text small" data-testid="json-field-errors">
              {Object.entries(fields).map(([p, m]) => (
                <li key={p}>
                  <code>{p}</code>: {m}
                </li>
              ))}
            </ul>
          )}
        </>
      )}
      {mode === "form" && Object.keys(fields).some((p) => !FIELDS.some((g) => g.fields.some((f) => f.path === p))) && (
        <ul className="error-text small">
          {Object.entries(fields)
            .filter(([p]) => !FIELDS.some((g) => g.fields.some((f) => f.path === p)))
            .map(([p, m]) => (
              <li key={p}>
                <code>{p}</code>: {m}
              </li>
            ))}
        </ul>
      )}
      <div className="row">
        <input placeholder="Note (why this change)" value={note} onChange={(e) => setNote(e.target.value)} disabled={!isAdmin} style={{ minWidth: 320 }} />
        <button type="button" onClick={save} disabled={!isAdmin || saving} data-testid="config-save" title={isAdmin ? undefined : "Saving the config needs the admin role"}>
          {saving ? <span className="spinner" /> : null} Save config
        </button>
      </div>
      {msg && (
        <p className={`alert ${msg.kind}`} role={msg.kind === "error" ? "alert" : "status"} data-testid="config-message">
          {msg.text}
        </p>
      )}
    </section>
  );
}
