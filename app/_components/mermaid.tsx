"use client";
import { useEffect, useId, useRef, useState } from "react";

/**
 * Renders mermaid source to SVG in the browser. mermaid (large) is imported only when this component mounts, so
 * pages that do not draw never load it. securityLevel "strict": mermaid sanitises labels and disables `click`
 * directives; node clicks are wired here instead, by the node ids dnsdeck generated.
 */
let seq = 0;

export interface MermaidProps {
  source: string;
  /** Called with dnsdeck's node id (e.g. "tech0") when a node is clicked or activated with Enter. */
  onNodeClick?: (id: string) => void;
  /** Called with the rendered SVG text (for downloads). */
  onRendered?: (svg: string) => void;
  label: string;
  testId?: string;
  /** Scale the drawing to the box (default) or keep its natural size and scroll (big graphs stay readable). */
  fit?: boolean;
}

export function Mermaid({ source, onNodeClick, onRendered, label, testId, fit = true }: MermaidProps) {
  const ref = useRef<HTMLDivElement>(null);
  const uid = useId().replace(/[^a-zA-Z0-9]/g, "");
  const [error, setError] = useState<string | null>(null);
  const [rendering, setRendering] = useState(true);
  const clickRef = useRef(onNodeClick);
  const renderedRef = useRef(onRendered);
  useEffect(() => {
    clickRef.current = onNodeClick;
    renderedRef.current = onRendered;
  });

  useEffect(() => {
    let cancelled = false;
    setRendering(true);
    (async () => {
      try {
        const { default: mermaid } = await import("mermaid");
        mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: "dark", flowchart: { htmlLabels: true, useMaxWidth: fit } });
        const { svg } = await mermaid.render(`mmd${uid}x${seq++}`, source);
        if (cancelled || !ref.current) return;
        ref.current.innerHTML = svg;
        for (const g of ref.current.querySelectorAll<SVGGElement>("g.node")) {
          const m = /flowchart-([a-zA-Z0-9]+)-\d+$/.exec(g.id);
          if (!m) continue;
          const id = m[1];
          g.dataset.nodeId = id;
          if (!clickRef.current) continue;
          g.style.cursor = "pointer";
          g.setAttribute("tabindex", "0");
          g.setAttribute("role", "button");
          g.addEventListener("click", () => clickRef.current?.(id));
          g.addEventListener("keydown", (e) => {
            if (e.key === "Enter" || e.key === " ") clickRef.current?.(id);
          });
        }
        setError(null);
        renderedRef.current?.(svg);
      } catch (err) {
        if (!cancelled) setError(err instanceof Error ? err.message : String(err));
      } finally {
        if (!cancelled) setRendering(false);
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [source, uid, fit]);

  return (
    <div className="mermaid-box" data-testid={testId}>
      {rendering && (
        <div className="muted small">
          <span className="spinner" /> drawing…
        </div>
      )}
      {error && (
        <div className="alert error" role="alert">
          The diagram could not be drawn ({error}). Download the mermaid source to inspect it.
        </div>
      )}
      <div ref={ref} role="img" aria-label={label} style={{ overflow: "auto", maxHeight: fit ? undefined : "75vh" }} />
    </div>
  );
}
