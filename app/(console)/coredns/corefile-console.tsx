"use client";
import { useConfirm } from "@/app/_components/confirm";
import Link from "next/link";
import { useDeferredValue, useMemo, useRef, useState } from "react";
import { useCan } from "@/app/_components/identity";
import { defaultStackConfig, type StackConfig, stackConfigSchema } from "@/k8s/config";
import { type CorefileError, type CorefileTarget, profileFor, validateCorefile } from "@/k8s/corefile";
import { renderCorednsCorefile, renderNodeLocalCorefile } from "@/k8s/corefile-render";
import { checkForeignOwners, saveStackConfig } from "@/server/stack/actions";
import type { ForeignOwned } from "@/server/stack/owners";
import { getPath, setPath } from "@/app/_components/json-path";

/*
 * Client-side editor: the parser/validator in k8s/corefile is pure, so every keystroke is validated in the browser
 * (no request, no audit row). The same validator backs POST /api/v1/corefile/validate and the server's save path.
 */

type Json = Record<string, unknown>;



interface Field {
  path: string;
  label: string;
  kind?: "text" | "int" | "list" | "select";
  options?: string[];
  hint?: string;
}

const CORE_FIELDS: Field[] = [
  { path: "coredns.forwarders", label: "Forwarders", kind: "list", hint: "comma-separated IPs, tried in order with policy sequential" },
  { path: "coredns.policy", label: "Forward policy", kind: "select", options: ["sequential", "random", "round_robin"] },
  { path: "coredns.healthCheck", label: "health_check", hint: "Go duration, e.g. 5s" },
  { path: "coredns.maxFails", label: "max_fails", kind: "int" },
  { path: "coredns.cache.success.capacity", label: "cache success: capacity", kind: "int" },
  { path: "coredns.cache.success.ttl", label: "cache success: max TTL (s)", kind: "int" },
  { path: "coredns.cache.success.minTtl", label: "cache success: min TTL (s)", kind: "int" },
  { path: "coredns.cache.denial.capacity", label: "cache denial: capacity", kind: "int" },
  { path: "coredns.cache.denial.ttl", label: "cache denial: max TTL (s)", kind: "int" },
  { path: "coredns.cache.denial.minTtl", label: "cache denial: min TTL (s)", kind: "int" },
  { path: "coredns.cache.serveStale", label: "serve_stale", hint: "Go duration, e.g. 86400s" },
  { path: "coredns.internalZone.zone", label: "Internal zone" },
  { path: "coredns.internalZone.forwardTo", label: "Internal zone → Technitium ClusterIP" },
  { path: "coredns.internalZone.ndotsTemplate.regex", label: "ndots junk filter (template match)", hint: "Go regexp on the FQDN with trailing dot" },
  { path: "coredns.replicas", label: "Replicas", kind: "int" },
  { path: "coredns.version", label: "CoreDNS version (validation profile)" },
];

const NL_FIELDS: Field[] = [
  { path: "nodelocal.linkLocalIp", label: "Link-local IP" },
  { path: "nodelocal.kubeDnsClusterIp", label: "kube-dns ClusterIP (co-listened)" },
  { path: "nodelocal.upstreamServiceName", label: "Upstream Service" },
  { path: "nodelocal.healthPort", label: "Health port", kind: "int" },
  { path: "nodelocal.reloadInterval", label: "reload interval", hint: "Go duration, ≥ 2s" },
  { path: "nodelocal.extraArgs", label: "Extra node-cache flags", kind: "list", hint: "-name=value each, e.g. -skipteardown=false" },
];

function fieldValue(draft: Json, f: Field): string {
  const v = getPath(draft, f.path);
  if (v === undefined || v === null) return "";
  if (Array.isArray(v)) return v.join(", ");
  return String(v);
}

function parseField(f: Field, text: string): unknown {
  if (f.kind === "list") return text.split(/[,\s]+/).filter(Boolean);
  if (f.kind === "int") return text.trim() === "" ? undefined : /^-?\d+$/.test(text.trim()) ? Number(text.trim()) : text;
  return text === "" ? undefined : text;
}

export interface LiveVersion {
  version: string | null;
  image: string | null;
  error: string | null;
}

export function CorefileConsole({ initialConfig, revision, dbDown, live }: { initialConfig: StackConfig; revision: number | null; dbDown: boolean; live?: LiveVersion }) {
  const [confirmDialog, ask] = useConfirm();
  const isAdmin = useCan("admin");
  const [draft, setDraft] = useState<Json>(initialConfig as unknown as Json);
  const [target, setTarget] = useState<CorefileTarget>("coredns");
  const [note, setNote] = useState("");
  const [saving, setSaving] = useState(false);
  const [msg, setMsg] = useState<{ kind: "ok" | "error"; text: string; fields?: Record<string, string>; take?: string[] } | null>(null);
  const [savedDraft, setSavedDraft] = useState(() => JSON.stringify(initialConfig));
  const editorRef = useRef<HTMLTextAreaElement>(null);
  const gutterRef = useRef<HTMLDivElement>(null);

  const deferred = useDeferredValue(draft);
  const parsed = useMemo(() => stackConfigSchema.safeParse(deferred), [deferred]);
  const fieldErrors = useMemo(() => {
    const out: Record<string, string> = {};
    if (!parsed.success)
      for (const i of parsed.error.issues) {
        const path = i.path.join(".");
        out[path] ??= i.message;
        // list items (forwarders.1, extraArgs.0) are shown under their list field
        const list = path.replace(/\.\d+$/, "");
        if (list !== path && !/zones$/.test(list)) out[list] ??= `item ${Number(path.slice(list.length + 1)) + 1}: ${i.message}`;
      }
    return out;
  }, [parsed]);

  const override = getPath(draft, `${target}.corefileOverride`) as string | undefined;
  const mode: "form" | "raw" = override !== undefined ? "raw" : "form";

  // the text shown: the raw override, or the Corefile the form renders
  const { text, renderError } = useMemo(() => {
    const o = getPath(deferred, `${target}.corefileOverride`) as string | undefined;
    if (o !== undefined) return { text: o, renderError: null as string | null };
    if (!parsed.success) return { text: "", renderError: "Fix the highlighted fields to see the rendered Corefile." };
    try {
      return { text: target === "coredns" ? renderCorednsCorefile(parsed.data) : renderNodeLocalCorefile(parsed.data), renderError: null };
    } catch (e) {
      return { text: "", renderError: (e as Error).message };
    }
  }, [deferred, parsed, target]);

  const stack: StackConfig = parsed.success ? parsed.data : defaultStackConfig;
  const version = (getPath(deferred, "coredns.version") as string | undefined) ?? "1.11.3";
  const profileLabel = useMemo(() => {
    try {
      return profileFor(target, version).label;
    } catch {
      return `unknown CoreDNS version ${version}`;
    }
  }, [target, version]);
  const result = useMemo(
    () => (text ? validateCorefile(text, target, { stack, corednsVersion: version }) : { valid: false, errors: [] as CorefileError[] }),
    [text, target, stack, version],
  );
  // the other target must stay valid too: saving stores both Corefiles
  const other: CorefileTarget = target === "coredns" ? "nodelocal" : "coredns";
  const otherValid = useMemo(() => {
    if (!parsed.success) return false;
    try {
      const t = other === "coredns" ? renderCorednsCorefile(parsed.data) : renderNodeLocalCorefile(parsed.data);
      return validateCorefile(t, other, { stack: parsed.data, corednsVersion: version }).valid;
    } catch {
      return false;
    }
  }, [parsed, other, version]);

  const errorLines = new Map<number, "error" | "warning">();
  for (const e of result.errors) if (errorLines.get(e.line) !== "error") errorLines.set(e.line, e.severity === "warning" ? "warning" : "error");
  const lineCount = Math.max(1, text.split("\n").length);
  const nErrors = result.errors.filter((e) => e.severity !== "warning").length;
  const dirty = JSON.stringify(draft) !== savedDraft;

  const saveBlocked = !isAdmin
    ? "Saving needs the admin role."
    : dbDown
      ? "The database is unavailable."
      : !parsed.success
        ? `Some fields are invalid: ${Object.keys(fieldErrors).slice(0, 3).join(", ")}.`
        : !result.valid || renderError
          ? "The Corefile has errors."
          : !otherValid
            ? `The ${other === "coredns" ? "CoreDNS" : "NodeLocal"} Corefile has errors (switch tabs to see them).`
            : !dirty
              ? "Nothing changed."
              : null;

  const update = (path: string, value: unknown) => {
    setMsg(null);
    setDraft((d) => setPath(d, path, value));
  };

  const jumpTo = (e: CorefileError) => {
    const ta = editorRef.current;
    if (!ta) return;
    const lines = ta.value.split("\n");
    let offset = 0;
    for (let k = 0; k < e.line - 1 && k < lines.length; k++) offset += lines[k].length + 1;
    offset += Math.max(0, e.column - 1);
    ta.focus();
    ta.setSelectionRange(offset, offset);
  };

  // Foreign field owners of what this draft would change, checked (dry run) before saving: the owner is named and
  // the choice — take ownership when applying, or leave the object to its manager — is made here, up front.
  const [checking, setChecking] = useState(false);
  const [owners, setOwners] = useState<{ draft: string; conflicts: ForeignOwned[] } | null>(null);
  const ownersShown = owners && owners.draft === JSON.stringify(draft) && owners.conflicts.length ? owners.conflicts : null;
  const ownerNames = ownersShown ? [...new Set(ownersShown.flatMap((c) => c.owners))].join(", ") : "";

  const save = async (choice?: "take" | "leave") => {
    setSaving(true);
    setMsg(null);
    try {
      let unchecked = "";
      if (!choice) {
        setChecking(true);
        const o = await checkForeignOwners({ config: draft }).finally(() => setChecking(false));
        if (o.ok && o.data.conflicts.length) {
          setOwners({ draft: JSON.stringify(draft), conflicts: o.data.conflicts });
          return; // the person chooses first (the panel below the Save button)
        }
        if (!o.ok) unchecked = ` Field owners were not checked (${o.error.message}); the plan on Stack shows them before you apply.`;
      }
      const keys = ownersShown?.map((c) => c.key) ?? [];
      const decided = choice && keys.length ? `; ${keys.join(", ")}: ${choice === "take" ? "take ownership from" : "left to"} ${ownerNames}` : "";
      const r = await saveStackConfig({ config: draft, note: `${note || `Corefile edit (${target})`}${decided}`.slice(0, 500) });
      if (r.ok) {
        setSavedDraft(JSON.stringify(draft));
        setOwners(null);
        const next =
          choice === "take"
            ? ` On Stack, the Apply dialog takes ownership of ${keys.join(", ")} from ${ownerNames} (remove it from ${ownerNames}, or it will put its own values back).`
            : choice === "leave"
              ? ` ${keys.join(", ")} stays with ${ownerNames}: the Apply dialog leaves it out, so that part of this revision is not applied until ${ownerNames} lets go or you take ownership.`
              : "";
        setMsg({ kind: "ok", text: `Saved as stack config revision ${r.data.id}. Nothing is applied yet: review the plan on Stack and apply it there.${next}${unchecked}`, take: choice === "take" ? keys : undefined });
      } else {
        setMsg({ kind: "error", text: r.error.message, fields: r.error.fields });
      }
    } catch (e) {
      setMsg({ kind: "error", text: `Saving failed: ${(e as Error).message}. Check the connection and try again.` });
    } finally {
      setSaving(false);
    }
  };

  const fields = target === "coredns" ? CORE_FIELDS : NL_FIELDS;
  const zones = (getPath(draft, "nodelocal.zones") as Json[] | undefined) ?? [];

  return (
    <div data-testid="corefile-console">
      {confirmDialog}
      <div className="tabs" role="tablist">
        {(["coredns", "nodelocal"] as const).map((t) => (
          <button key={t} role="tab" aria-selected={target === t} className={target === t ? "active" : ""} data-testid={`tab-${t}`} onClick={() => setTarget(t)}>
            {t === "coredns" ? "CoreDNS (cluster)" : "NodeLocal DNSCache"}
          </button>
        ))}
      </div>

      {target === "coredns" && live?.version && live.version !== version.replace(/^v/, "") && (
        <p className="alert warn" data-testid="version-mismatch">
          The cluster runs {live.image}, but the Corefile is checked against CoreDNS {version}.{" "}
          <button data-testid="use-live-version" onClick={() => update("coredns.version", live.version)}>
            Check against {live.version}
          </button>
        </p>
      )}
      {target === "coredns" && live?.error && (
        <p className="small muted" data-testid="live-version-unknown">
          Live CoreDNS version unknown ({live.error}); checking against CoreDNS {version}.
        </p>
      )}
      <div className="row" style={{ alignItems: "flex-start" }}>
        <section className="panel" style={{ flex: "1 1 320px", minWidth: 300 }} data-testid="corefile-form">
          <h2>Common settings</h2>
          {mode === "raw" && (
            <p className="alert warn" data-testid="raw-mode-note">
              The raw Corefile below is used instead of these settings. Go back to the form to use them again.
            </p>
          )}
          <div className="stack-v">
            {fields.map((f) => {
              const err = fieldErrors[f.path];
              return (
                <label key={f.path} className="stack-v" style={{ gap: 2 }}>
                  <span className="small">{f.label}</span>
                  {f.kind === "select" ? (
                    <select data-testid={`field-${f.path}`} value={fieldValue(draft, f)} disabled={mode === "raw"} onChange={(e) => update(f.path, e.target.value)}>
                      {f.options!.map((o) => (
                        <option key={o}>{o}</option>
                      ))}
                    </select>
                  ) : (
                    <input
                      className="config-input"
                      data-testid={`field-${f.path}`}
                      value={fieldValue(draft, f)}
                      disabled={mode === "raw" && f.path !== "coredns.version"}
                      aria-invalid={!!err}
                      onChange={(e) => update(f.path, parseField(f, e.target.value))}
                    />
                  )}
                  {f.hint && !err && <span className="small muted">{f.hint}</span>}
                  {err && (
                    <span className="small error-text" data-testid="field-error" data-field={f.path}>
                      {err}
                    </span>
                  )}
                </label>
              );
            })}
            {target === "nodelocal" && (
              <table className="table" data-testid="nodelocal-zones" style={{ tableLayout: "fixed", width: "100%" }}>
                <thead>
                  <tr>
                    <th>Zone</th>
                    <th>cache TTL (s)</th>
                    <th>Misses go to</th>
                  </tr>
                </thead>
                <tbody>
                  {zones.map((z, k) => {
                    const fwd = z.forward as string | string[];
                    const err = fieldErrors[`nodelocal.zones.${k}.cacheTtl`] ?? fieldErrors[`nodelocal.zones.${k}.forward`];
                    return (
                      <tr key={k}>
                        <td className="mono">{String(z.zone)}</td>
                        <td>
                          {z.success ? (
                            <span className="small muted">success/denial caches</span>
                          ) : (
                            <input
                              style={{ width: 70 }}
                              data-testid={`zone-ttl-${String(z.zone)}`}
                              disabled={mode === "raw"}
                              value={String(z.cacheTtl ?? "")}
                              onChange={(e) => update(`nodelocal.zones.${k}.cacheTtl`, /^\d+$/.test(e.target.value) ? Number(e.target.value) : e.target.value)}
                            />
                          )}
                        </td>
                        <td>
                          <select
                            data-testid={`zone-forward-${String(z.zone)}`}
                            disabled={mode === "raw"}
                            value={Array.isArray(fwd) ? "ips" : fwd}
                            style={{ maxWidth: "100%" }}
                            title="cluster-dns = the kube-dns-upstream ClusterIP (node-cache fills __PILLAR__CLUSTER__DNS__)"
                            onChange={(e) => update(`nodelocal.zones.${k}.forward`, e.target.value === "ips" ? [stack.coredns.internalZone.forwardTo] : e.target.value)}
                          >
                            <option value="cluster-dns">CoreDNS</option>
                            <option value="upstream-servers">node resolv.conf</option>
                            <option value="ips">IPs</option>
                          </select>
                          {Array.isArray(fwd) && (
                            <input
                              style={{ width: "100%", marginTop: 4 }}
                              data-testid={`zone-ips-${String(z.zone)}`}
                              disabled={mode === "raw"}
                              value={fwd.join(", ")}
                              onChange={(e) => update(`nodelocal.zones.${k}.forward`, e.target.value.split(/[,\s]+/).filter(Boolean))}
                            />
                          )}
                          {err && <div className="small error-text">{err}</div>}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            )}
          </div>
        </section>

        <section className="panel" style={{ flex: "2 1 480px", minWidth: 360 }}>
          <div className="row" style={{ justifyContent: "space-between" }}>
            <h2 style={{ margin: 0 }}>{mode === "raw" ? "Raw Corefile" : "Rendered Corefile"}</h2>
            <div className="row">
              <span className="small muted" data-testid="validation-profile">
                Checked against {profileLabel}
              </span>
              {mode === "form" ? (
                <button data-testid="edit-raw" onClick={() => update(`${target}.corefileOverride`, text || "\n")} disabled={!text}>
                  Edit raw Corefile
                </button>
              ) : (
                <button
                  data-testid="use-form"
                  onClick={async () => {
                    if (await ask({ title: "Back to the form?", body: "The raw Corefile is discarded and rendered from the form again.", confirmLabel: "Discard raw Corefile" })) update(`${target}.corefileOverride`, undefined);
                  }}
                >
                  Back to form
                </button>
              )}
            </div>
          </div>
          {renderError && <p className="alert warn">{renderError}</p>}
          {Object.entries(fieldErrors).filter(([k]) => ![...CORE_FIELDS, ...NL_FIELDS].some((f) => k === f.path || k.startsWith(`${f.path}.`)) && !k.startsWith("nodelocal.zones.")).length > 0 && (
            <div className="alert error" data-testid="other-field-errors">
              Invalid settings outside this page's form (fix them on Stack):
              <ul>
                {Object.entries(fieldErrors)
                  .filter(([k]) => ![...CORE_FIELDS, ...NL_FIELDS].some((f) => k === f.path || k.startsWith(`${f.path}.`)) && !k.startsWith("nodelocal.zones."))
                  .map(([k, v]) => (
                    <li key={k}>
                      <span className="mono">{k}</span>: {k.endsWith("corefileOverride") ? "the raw Corefile must not be empty" : v}
                    </li>
                  ))}
              </ul>
            </div>
          )}
          <div style={{ display: "flex", marginTop: 8, border: "1px solid var(--border)", borderRadius: 6, maxHeight: 520, overflow: "hidden" }}>
            <div
              ref={gutterRef}
              aria-hidden
              className="mono"
              style={{ padding: "6px 6px", textAlign: "right", userSelect: "none", color: "var(--muted)", overflow: "hidden", lineHeight: "18px", minWidth: 36 }}
            >
              {Array.from({ length: lineCount }, (_, k) => {
                const sev = errorLines.get(k + 1);
                return (
                  <div key={k} style={{ color: sev === "error" ? "var(--bad)" : sev === "warning" ? "var(--warn, #d9a300)" : undefined, fontWeight: sev ? 700 : undefined }}>
                    {k + 1}
                  </div>
                );
              })}
            </div>
            <textarea
              ref={editorRef}
              data-testid={`corefile-editor-${target}`}
              aria-label={`${target} Corefile`}
              spellCheck={false}
              wrap="off"
              readOnly={mode === "form"}
              value={mode === "raw" ? (override ?? "") : text}
              onChange={(e) => update(`${target}.corefileOverride`, e.target.value)}
              onScroll={(e) => {
                if (gutterRef.current) gutterRef.current.scrollTop = e.currentTarget.scrollTop;
              }}
              rows={Math.min(28, lineCount + 1)}
              style={{ border: "none", borderRadius: 0, lineHeight: "18px", padding: 6, resize: "vertical", minHeight: 200 }}
            />
          </div>

          <div style={{ marginTop: 10 }} data-testid="corefile-status" data-valid={String(result.valid && !renderError)}>
            {result.valid && !renderError ? (
              <p className="alert ok">
                Valid for {profileLabel}
                {result.errors.length ? ` — ${result.errors.length} warning${result.errors.length === 1 ? "" : "s"}` : ""}.
              </p>
            ) : (
              <p className="alert error">
                {nErrors} error{nErrors === 1 ? "" : "s"}: this Corefile would {target === "coredns" ? "stop CoreDNS from starting or break cluster DNS" : "crash-loop node-cache or break DNS on every node"}.
              </p>
            )}
            {result.errors.length > 0 && (
              <ul className="stack-v" data-testid="corefile-errors" style={{ listStyle: "none", padding: 0, margin: 0 }}>
                {result.errors.map((e, k) => (
                  <li key={k} data-testid="corefile-error" data-line={e.line} data-column={e.column} data-severity={e.severity ?? "error"}>
                    <button
                      className="mono small"
                      onClick={() => jumpTo(e)}
                      title="Go to this position"
                      data-testid="corefile-error-position"
                      style={{ marginRight: 8, background: "none", color: "var(--accent)", padding: "1px 6px" }}
                    >
                      {e.line}:{e.column}
                    </button>
                    <span className={e.severity === "warning" ? "warn-text" : "error-text"}>{e.severity === "warning" ? "warning" : "error"}</span> {e.message}
                  </li>
                ))}
              </ul>
            )}
          </div>

          <div className="row" style={{ marginTop: 12 }}>
            <input placeholder="Note for this revision (optional)" value={note} onChange={(e) => setNote(e.target.value)} style={{ flex: 1 }} data-testid="corefile-note" />
            <button data-testid="corefile-save" onClick={() => save()} disabled={!!saveBlocked || saving || !!ownersShown}>
              {saving ? <span className="spinner" /> : null} Save to stack config
            </button>
          </div>
          {checking && (
            <p className="small muted" role="status" data-testid="owners-checking">
              Checking who owns the fields this revision would change (a server-side dry run per object)…
            </p>
          )}
          {ownersShown && !saveBlocked && (
            <div className="alert warn" role="alert" data-testid="foreign-owners">
              <p>
                <strong>Owned by {ownerNames}.</strong> Applying this revision changes fields another manager owns; a plain apply would stop on the conflict:
              </p>
              <ul>
                {ownersShown.map((c) => (
                  <li key={c.key}>
                    <span className="mono">{c.key}</span>:{" "}
                    {c.fields.map((f, k) => (
                      <span key={k}>
                        {k ? ", " : ""}
                        <code>{f.field}</code> owned by <strong>{f.manager}</strong>
                      </span>
                    ))}
                  </li>
                ))}
              </ul>
              <div className="row">
                <button type="button" data-testid="owners-take" disabled={saving} onClick={() => save("take")}>
                  Save; take ownership from {ownerNames} when applying
                </button>
                <button type="button" className="secondary" data-testid="owners-leave" disabled={saving} onClick={() => save("leave")}>
                  Save; leave it to {ownerNames}
                </button>
                <button type="button" className="secondary" disabled={saving} onClick={() => setOwners(null)}>
                  Cancel
                </button>
              </div>
            </div>
          )}
          {saveBlocked && (
            <p className="small muted" data-testid="save-blocked">
              {saveBlocked}
            </p>
          )}
          {msg && (
            <div className={`alert ${msg.kind}`} role={msg.kind === "error" ? "alert" : "status"} data-testid="save-result">
              {msg.text}
              {msg.kind === "ok" && (
                <>
                  {" "}
                  <Link href={msg.take?.length ? `/stack?take=${encodeURIComponent(msg.take.join(","))}` : "/stack"}>Open Stack</Link>
                </>
              )}
              {msg.fields && (
                <ul>
                  {Object.entries(msg.fields).map(([k, v]) => (
                    <li key={k}>
                      <span className="mono">{k}</span>: {v}
                    </li>
                  ))}
                </ul>
              )}
            </div>
          )}
          <p className="small muted">
            {revision ? `Editing on top of stack config revision ${revision}.` : "No revision saved yet: these are the homelab defaults."} A Corefile change reaches
            every replica within about a minute and a half, all at once; apply it from Stack, which verifies resolution afterwards.
          </p>
        </section>
      </div>
    </div>
  );
}
