import type { RefObject } from "react";
import type { CorefileError, CorefileTarget } from "@/k8s/corefile";

/** The verdict on the Corefile shown, and each error or warning with its position (a click puts the cursor there). */
export function CorefileStatus({
  target,
  valid,
  errors,
  profileLabel,
  editorRef,
}: {
  target: CorefileTarget;
  valid: boolean;
  errors: CorefileError[];
  profileLabel: string;
  editorRef: RefObject<HTMLTextAreaElement | null>;
}) {
  const nErrors = errors.filter((e) => e.severity !== "warning").length;
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
  return (
    <div style={{ marginTop: 10 }} data-testid="corefile-status" data-valid={String(valid)}>
      {valid ? (
        <p className="alert ok">
          Valid for {profileLabel}
          {errors.length ? ` — ${errors.length} warning${errors.length === 1 ? "" : "s"}` : ""}.
        </p>
      ) : (
        <p className="alert error">
          {nErrors} error{nErrors === 1 ? "" : "s"}: this Corefile would {target === "coredns" ? "stop CoreDNS from starting or break cluster DNS" : "crash-loop node-cache or break DNS on every node"}.
        </p>
      )}
      {errors.length > 0 && (
        <ul className="stack-v" data-testid="corefile-errors" style={{ listStyle: "none", padding: 0, margin: 0 }}>
          {errors.map((e, k) => (
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
  );
}
