"use client";
import { useCallback, useEffect, useId, useRef, useState } from "react";

/**
 * Renders mermaid source to SVG in the browser. mermaid (large) is imported only when this component mounts, so
 * pages that do not draw never load it. securityLevel "strict": mermaid sanitises labels and disables `click`
 * directives; node clicks are wired here instead, by the node ids dnsdeck generated.
 */
let seq = 0;
let loading: Promise<typeof import("mermaid")> | null = null;
/**
 * One import for the page, started as soon as a drawing page's code runs — beside the data fetch, not after it. mermaid
 * loads the flowchart diagram and then the dagre layout only when it first renders: three network round trips in a row
 * on a cold page. Asking for all three at once (the same modules mermaid's own loaders import, so one instance each)
 * makes it one. The deep paths are mermaid's published files (package.json `exports: "./*"`, version pinned by the
 * lock file): after an upgrade that renames them the build fails here rather than drawing slower.
 */
const loadMermaid = () =>
  (loading ??= Promise.all([
    import("mermaid"),
    import("mermaid/dist/chunks/mermaid.core/flowDiagram-HODETNUW.mjs" as string),
    import("mermaid/dist/chunks/mermaid.core/dagre-GXQ25YYZ.mjs" as string),
  ]).then(([m]) => m));
if (typeof window !== "undefined") void loadMermaid().catch(() => (loading = null));
/** Tighter spacing for the big pan-and-zoom graph: less empty space between ranks, so more of it fits a view. */
const PANZOOM_LAYOUT = { rankSpacing: 20, nodeSpacing: 40, padding: 10 };

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
  /**
   * Pan and zoom inside a fixed box instead (the architecture graph): drag to pan, wheel or buttons to zoom, one
   * button per area (a mermaid subgraph id, or several) to focus on it. The default view is `defaultArea`, never
   * zoomed out so far that a label renders below `minLabelPx`; only "Whole estate" may go smaller, on request.
   */
  panZoom?: { areas: { id: string; label: string; subgraphs: string[]; nodes?: string[]; hidden?: boolean }[]; defaultArea: string; minLabelPx: number };
}

export function Mermaid({ source, onNodeClick, onRendered, label, testId, fit = true, panZoom }: MermaidProps) {
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
        const t0 = performance.now();
        const { default: mermaid } = await loadMermaid();
        const t1 = performance.now();
        mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: "dark", flowchart: { htmlLabels: true, useMaxWidth: fit && !panZoom, ...(panZoom ? PANZOOM_LAYOUT : {}) } });
        const { svg } = await mermaid.render(`mmd${uid}x${seq++}`, source);
        // where a drawing's time goes, for scripts/bench-pages.ts (User Timing: visible in any browser's profiler)
        performance.measure("mermaid: import", { start: t0, end: t1 });
        performance.measure("mermaid: render", { start: t1, end: performance.now() });
        if (cancelled || !ref.current) return;
        ref.current.innerHTML = svg;
        if (panZoom) {
          // natural size: one SVG unit is one CSS pixel at zoom 1, so the zoom factor is the label scale
          const el = ref.current.querySelector("svg");
          const vb = el?.viewBox.baseVal;
          if (el && vb?.width) {
            el.setAttribute("width", String(vb.width));
            el.setAttribute("height", String(vb.height));
            el.style.maxWidth = "none";
          }
        }
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
    // eslint-disable-next-line react-hooks/exhaustive-deps -- panZoom only changes how the drawing is shown, not what is drawn
  }, [source, uid, fit, !!panZoom]);

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
      {panZoom ? (
        <PanZoom drawing={ref} ready={!rendering && !error} {...panZoom} label={label} />
      ) : (
        <div ref={ref} role="img" aria-label={label} style={{ overflow: "auto", maxHeight: fit ? undefined : "75vh" }} />
      )}
    </div>
  );
}

type View = { s: number; x: number; y: number };
const LABELS = ".nodeLabel, .edgeLabel, .cluster-label, .label";

/** The smallest font size (CSS px at zoom 1) among the drawing's labels, to bound how far the default view zooms out. */
function smallestFont(root: HTMLElement): number {
  let min = Infinity;
  for (const el of root.querySelectorAll<HTMLElement>(LABELS)) {
    if (!el.textContent?.trim()) continue;
    const px = parseFloat(getComputedStyle(el).fontSize);
    if (px > 0) min = Math.min(min, px);
  }
  return Number.isFinite(min) ? min : 16;
}

function PanZoom({ drawing, ready, areas, defaultArea, minLabelPx, label }: { drawing: React.RefObject<HTMLDivElement | null>; ready: boolean; label: string } & NonNullable<MermaidProps["panZoom"]>) {
  const box = useRef<HTMLDivElement>(null);
  const [view, setView] = useState<View>({ s: 1, x: 0, y: 0 });
  const [area, setArea] = useState<string>(defaultArea);
  const viewRef = useRef(view);
  useEffect(() => {
    viewRef.current = view;
  }, [view]);
  const minScale = useRef(0.7);
  const drag = useRef<{ px: number; py: number; x: number; y: number; moved: boolean } | null>(null);

  const focus = useCallback(
    (id: string) => {
      const root = drawing.current;
      const b = box.current;
      if (!root || !b) return;
      const a = areas.find((x) => x.id === id);
      const svg = root.querySelector("svg");
      if (!svg) return;
      const cur = viewRef.current;
      const base = root.getBoundingClientRect();
      const parts = a ? [...a.subgraphs.map((g) => root.querySelector<SVGGElement>(`g.cluster[id$="${g}"], g.cluster[id*="-${g}-"], g.cluster[id="${g}"]`)), ...(a.nodes ?? []).map((n) => root.querySelector<SVGGElement>(`g.node[data-node-id="${n}"]`))] : [svg];
      const rects = parts.filter((x): x is SVGGElement | SVGSVGElement => !!x).map((x) => x.getBoundingClientRect());
      if (!rects.length) return;
      // bounds in drawing pixels (undo the current zoom and pan)
      const x0 = Math.min(...rects.map((r) => r.left - base.left)) / cur.s;
      const y0 = Math.min(...rects.map((r) => r.top - base.top)) / cur.s;
      const x1 = Math.max(...rects.map((r) => r.right - base.left)) / cur.s;
      const y1 = Math.max(...rects.map((r) => r.bottom - base.top)) / cur.s;
      const pad = 12;
      const bw = b.clientWidth - 2 * pad;
      const bh = b.clientHeight - 2 * pad;
      const fitS = Math.min(bw / (x1 - x0), bh / (y1 - y0));
      const s = id === "all" ? Math.min(fitS, 1.5) : Math.max(minScale.current, Math.min(fitS, 1.5));
      const w = (x1 - x0) * s;
      const h = (y1 - y0) * s;
      // smaller than the box: centred; larger (labels kept readable): its middle in the middle, pan for the rest
      setView({ s, x: pad + (bw - w) / 2 - x0 * s, y: pad + (h < bh ? (bh - h) / 2 : 0) - y0 * s });
      setArea(id);
    },
    [areas, drawing],
  );

  useEffect(() => {
    if (!ready || !drawing.current) return;
    minScale.current = minLabelPx / smallestFont(drawing.current);
    focus(area);
    // eslint-disable-next-line react-hooks/exhaustive-deps -- refocus on a new drawing only, keeping the chosen area
  }, [ready]);

  const zoomAt = (factor: number, cx: number, cy: number) =>
    setView((v) => {
      const s = Math.max(0.1, Math.min(3, v.s * factor));
      return { s, x: cx - ((cx - v.x) * s) / v.s, y: cy - ((cy - v.y) * s) / v.s };
    });

  useEffect(() => {
    const b = box.current;
    if (!b) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const r = b.getBoundingClientRect();
      zoomAt(Math.exp(-e.deltaY * 0.0015), e.clientX - r.left, e.clientY - r.top);
      setArea("");
    };
    b.addEventListener("wheel", onWheel, { passive: false });
    return () => b.removeEventListener("wheel", onWheel);
  }, []);

  return (
    <div className="stack-v">
      <div className="row" role="toolbar" aria-label="Graph view">
        <span className="muted small">Focus:</span>
        {areas.filter((a) => !a.hidden).map((a) => (
          <button key={a.id} type="button" className="secondary" aria-pressed={area === a.id} data-testid={`focus-${a.id}`} onClick={() => focus(a.id)}>
            {a.label}
          </button>
        ))}
        <span style={{ marginLeft: "auto" }} className="row">
          <button type="button" className="secondary" aria-label="Zoom out" onClick={() => zoomAt(1 / 1.25, (box.current?.clientWidth ?? 0) / 2, (box.current?.clientHeight ?? 0) / 2)}>
            −
          </button>
          <span className="muted small" data-testid="graph-zoom" style={{ minWidth: 40, textAlign: "center" }}>
            {Math.round(view.s * 100)}%
          </span>
          <button type="button" className="secondary" aria-label="Zoom in" onClick={() => zoomAt(1.25, (box.current?.clientWidth ?? 0) / 2, (box.current?.clientHeight ?? 0) / 2)}>
            +
          </button>
          <button type="button" className="secondary" aria-pressed={area === "all"} data-testid="focus-all" onClick={() => focus("all")} title="The whole estate at once; labels get small">
            Whole estate
          </button>
        </span>
      </div>
      <div
        ref={box}
        className="panzoom-box"
        data-testid="graph-viewport"
        onPointerDown={(e) => {
          if (e.button !== 0) return;
          drag.current = { px: e.clientX, py: e.clientY, x: viewRef.current.x, y: viewRef.current.y, moved: false };
        }}
        onPointerMove={(e) => {
          const d = drag.current;
          if (!d) return;
          const dx = e.clientX - d.px;
          const dy = e.clientY - d.py;
          if (!d.moved && Math.hypot(dx, dy) < 4) return;
          if (!d.moved) box.current?.setPointerCapture(e.pointerId);
          d.moved = true;
          setView((v) => ({ ...v, x: d.x + dx, y: d.y + dy }));
        }}
        onPointerUp={() => {
          if (drag.current?.moved) setArea("");
          setTimeout(() => (drag.current = null), 0);
        }}
        onClickCapture={(e) => {
          if (drag.current?.moved) e.stopPropagation(); // a drag is not a click on the node under the pointer
        }}
        onKeyDown={(e) => {
          const step = 60;
          const moves: Record<string, [number, number]> = { ArrowLeft: [step, 0], ArrowRight: [-step, 0], ArrowUp: [0, step], ArrowDown: [0, -step] };
          if (moves[e.key]) {
            e.preventDefault();
            setView((v) => ({ ...v, x: v.x + moves[e.key][0], y: v.y + moves[e.key][1] }));
          } else if (e.key === "+" || e.key === "=") zoomAt(1.25, (box.current?.clientWidth ?? 0) / 2, (box.current?.clientHeight ?? 0) / 2);
          else if (e.key === "-") zoomAt(1 / 1.25, (box.current?.clientWidth ?? 0) / 2, (box.current?.clientHeight ?? 0) / 2);
        }}
        tabIndex={0}
        aria-label={`${label}: drag or use the arrow keys to pan, the wheel or + and − to zoom`}
      >
        <div ref={drawing} role="img" aria-label={label} data-testid="graph-drawing" style={{ transform: `translate(${view.x}px, ${view.y}px) scale(${view.s})`, transformOrigin: "0 0", width: "max-content" }} />
      </div>
    </div>
  );
}
