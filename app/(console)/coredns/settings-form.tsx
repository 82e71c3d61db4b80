import type { Json } from "@/app/_components/json-path";
import type { StackConfig } from "@/k8s/config";
import type { CorefileTarget } from "@/k8s/corefile";
import { CORE_FIELDS, fieldValue, NL_FIELDS, parseField } from "./fields";
import { NodeLocalZones } from "./nodelocal-zones";

/** The "Common settings" panel: the form the Corefile is rendered from (disabled while a raw Corefile is used). */
export function SettingsForm(props: {
  draft: Json;
  target: CorefileTarget;
  mode: "form" | "raw";
  fieldErrors: Record<string, string>;
  stack: StackConfig;
  update: (path: string, value: unknown) => void;
}) {
  const { draft, target, mode, fieldErrors, update } = props;
  const fields = target === "coredns" ? CORE_FIELDS : NL_FIELDS;
  return (
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
        {target === "nodelocal" && <NodeLocalZones {...props} />}
      </div>
    </section>
  );
}
