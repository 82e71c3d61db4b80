import { type RefObject, useRef } from "react";
import type { CorefileError, CorefileTarget } from "@/k8s/corefile";
import { onThisForm } from "./fields";

/**
 * The Corefile: rendered from the form (read-only) or the raw override (editable), with line numbers whose colour marks
 * the lines with errors and warnings; the switch between the two; the settings the form cannot show that are invalid.
 */
export function CorefileEditor(props: {
  target: CorefileTarget;
  mode: "form" | "raw";
  text: string;
  override: string | undefined;
  renderError: string | null;
  profileLabel: string;
  errors: CorefileError[];
  fieldErrors: Record<string, string>;
  editorRef: RefObject<HTMLTextAreaElement | null>;
  update: (path: string, value: unknown) => void;
  confirmBackToForm: () => Promise<boolean>;
}) {
  const { target, mode, text, override, renderError, profileLabel, fieldErrors, editorRef, update } = props;
  const gutterRef = useRef<HTMLDivElement>(null);
  const errorLines = new Map<number, "error" | "warning">();
  for (const e of props.errors) if (errorLines.get(e.line) !== "error") errorLines.set(e.line, e.severity === "warning" ? "warning" : "error");
  const lineCount = Math.max(1, text.split("\n").length);
  const otherErrors = Object.entries(fieldErrors).filter(([k]) => !onThisForm(k));
  return (
    <>
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
                if (await props.confirmBackToForm()) update(`${target}.corefileOverride`, undefined);
              }}
            >
              Back to form
            </button>
          )}
        </div>
      </div>
      {renderError && <p className="alert warn">{renderError}</p>}
      {otherErrors.length > 0 && (
        <div className="alert error" data-testid="other-field-errors">
          Invalid settings outside this page's form (fix them on Stack):
          <ul>
            {otherErrors.map(([k, v]) => (
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
    </>
  );
}
