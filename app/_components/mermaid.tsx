"use client";
import { useCallback, useEffect, useId, useMemo, useRef, useState } from "react";
import mermaidPackage from "mermaid/package.json";
import { type DrawingKind, type Drawn, atNaturalSize, drawingConfig, sourceTag } from "@/server/architecture/drawing-key";
import { DrawingCache, NODE_DOM_ID, drawingKey, renderIdFor, usableDrawing, withDrawingId } from "./mermaid-cache";
import { type LiveValues, fillLiveSvg, fillLiveText, hasLivePlaceholder } from "@/server/architecture/mermaid-text";

/**
 * Renders mermaid source to SVG in the browser. mermaid (large) is imported only when this component mounts, so
 * pages that do not draw never load it. securityLevel "strict": mermaid sanitises labels and disables `click`
 * directives; node clicks are wired here instead, by the node ids dnsdeck generated. A drawing once made is kept in this
 * browser (mermaid-cache.ts) and shown again without mermaid when the same source comes back. Numbers that move on every
 * refresh are placeholders in the source and arrive beside it (`live`): they are written into the drawing's text here,
 * so a new set of numbers costs no drawing. Where the server drew the source (server/architecture/drawing.ts, `drawn`),
 * its drawing is in the page's HTML and mermaid is never loaded.
 */
let seq = 0;
let loading: Promise<typeof import("mermaid")> | null = null;
/**
 * One import for the page, started when the first drawing must be made here. mermaid
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

/**
 * mermaid keeps the config of the last initialize() and renders one diagram at a time, but initialize() itself is not
 * queued: two drawings with different configs could each be rendered with the other's. The cache stores a drawing
 * under the config it names, so each initialize is paired with its render here, one pair after the other.
 */
let drawing: Promise<unknown> = Promise.resolve();
function draw(mermaid: (typeof import("mermaid"))["default"], config: ReturnType<typeof drawingConfig>, id: string, source: string) {
  const run = drawing.then(() => {
    mermaid.initialize(config);
    return mermaid.render(id, source);
  });
  drawing = run.catch(() => undefined);
  return run;
}

/**
 * Drawings made earlier in this browser (mermaid-cache.ts). Trust: a stored drawing is the SVG mermaid itself produced
 * here, with securityLevel "strict", from the same source; inserting it again is no different from inserting it the
 * first time. Whatever could write another value into this origin's localStorage can already run script in it, so
 * keeping the drawing there opens no new door. Reading window.localStorage throws where storage is disabled: no cache.
 */
function browserCache(): DrawingCache | null {
  try {
    return new DrawingCache(window.localStorage);
  } catch {
    return null;
  }
}
/** A text node of the drawing that holds placeholders, and its text as drawn (the template every fill starts from). */
type LiveSlot = { node: Text; template: string };

/** The drawing's text nodes with placeholders in them (only labels carry any: dnsdeck's source puts them there). */
function liveSlots(root: HTMLElement): LiveSlot[] {
  const slots: LiveSlot[] = [];
  const walk = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    const text = n as Text;
    if (!hasLivePlaceholder(text.data)) continue;
    slots.push({ node: text, template: text.data });
    // the box was sized for the placeholder: a value that outgrows it is shown past the box rather than cut off
    const fo = text.parentElement?.closest("foreignObject");
    if (fo instanceof SVGElement) fo.style.overflow = "visible";
  }
  return slots;
}

/** Writes the values as text (Text.data, never markup): a value cannot add an element, whatever it holds. */
function fillSlots(slots: LiveSlot[], live: LiveValues | undefined) {
  for (const s of slots) s.node.data = fillLiveText(s.template, live);
}

/** Stores when the browser is next idle, after the drawing is shown: the write is synchronous (the architecture graph is some 70,000 characters). */
const whenIdle = (f: () => void) => (typeof requestIdleCallback === "function" ? requestIdleCallback(f, { timeout: 2000 }) : setTimeout(f, 0));

/**
 * A drawing made in this browser: from its drawing cache when it holds this source's drawing, else by mermaid (loaded
 * then), kept in the cache when the browser is next idle. `hit`: it came from the cache.
 */
async function drawHere(config: ReturnType<typeof drawingConfig>, source: string, shownId: string): Promise<{ svg: string; hit: boolean }> {
  const cache = browserCache();
  const key = cache ? await drawingKey(mermaidPackage.version, config, source).catch(() => null) : null;
  const stableId = key ? renderIdFor(key) : null;
  const cached = cache && key && stableId ? cache.get(key) : null;
  if (stableId && usableDrawing(cached, stableId)) return { svg: withDrawingId(cached, stableId, shownId), hit: true };
  const tImport = performance.now();
  const { default: mermaid } = await loadMermaid();
  const t1 = performance.now();
  const rendered = await draw(mermaid, config, stableId ?? shownId, source);
  // where a drawing's time goes, for scripts/bench-pages.ts (User Timing: visible in any browser's profiler)
  performance.measure("mermaid: import", { start: tImport, end: t1 });
  performance.measure("mermaid: render", { start: t1, end: performance.now() });
  // only a drawing mermaid finished is stored (a throw above skips this)
  if (cache && key && stableId) whenIdle(() => cache.put(key, rendered.svg));
  return { svg: stableId ? withDrawingId(rendered.svg, stableId, shownId) : rendered.svg, hit: false };
}

export interface MermaidProps {
  source: string;
  /** The server's drawing of `source` (it travels beside it in the verb's answer); shown instead of drawing here. */
  drawn?: Drawn;
  /**
   * Values for the source's live placeholders (server/architecture/mermaid-text.ts), by token. Filled into the drawing
   * after each draw or cache hit, and again whenever they change while the source does not (no redraw).
   */
  live?: LiveValues;
  /** Called with dnsdeck's node id (e.g. "tech0") when a node is clicked or activated with Enter. */
  onNodeClick?: (id: string) => void;
  /** Called with the rendered SVG text, live values filled in (for downloads); again when the values change. */
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

export function Mermaid({ source, drawn, live, onNodeClick, onRendered, label, testId, fit = true, panZoom }: MermaidProps) {
  const ref = useRef<HTMLDivElement>(null);
  const uid = useId().replace(/[^a-zA-Z0-9]/g, "");
  const kind: DrawingKind = panZoom ? "panzoom" : fit ? "fit" : "natural";
  // (the fingerprint walks the whole source: worked out when the drawing or the source changes, not on every render)
  const served = useMemo(() => (drawn?.kind === kind && drawn.of === sourceTag(source) ? drawn : undefined), [drawn, kind, source]);
  const sized = (svg: string) => (kind === "panzoom" ? atNaturalSize(svg) : svg);
  // The server's drawing in the page's HTML (values filled in: no placeholder is ever seen). The id is the same on the
  // server and in the browser (useId), so hydration finds what it rendered. Later drawings are inserted by the effect.
  const [firstHtml] = useState(() => (served ? { __html: fillLiveSvg(sized(withDrawingId(served.svg, renderIdFor(served.key), `mmd${uid}s`)), live) } : undefined));
  const [error, setError] = useState<string | null>(null);
  const [rendering, setRendering] = useState(!firstHtml);
  // the drawing on show is wired (node ids, clicks, values): only then can the pan-and-zoom box find its areas
  const [wired, setWired] = useState(false);
  const clickRef = useRef(onNodeClick);
  const renderedRef = useRef(onRendered);
  // read when a source is to be shown: a server's drawing arriving later for a source already drawn here is not a redraw
  const servedRef = useRef(served);
  useEffect(() => {
    clickRef.current = onNodeClick;
    renderedRef.current = onRendered;
    servedRef.current = served;
  });
  // The drawing on show: the source it was drawn from, its SVG text with the placeholders, its text nodes to fill.
  const shown = useRef<{ source: string; svg: string; slots: LiveSlot[] } | null>(null);
  const liveRef = useRef(live);
  // react-query keeps equal data identical, but compare by content: any equal map is no change
  const liveKey = JSON.stringify(live ?? null);
  useEffect(() => {
    liveRef.current = live;
    const s = shown.current;
    // A drawing of another source is on its way (it fills itself with these values when shown): its tokens may not
    // be this drawing's, so the one still on show is left as it is until then.
    if (!s || s.source !== source) return;
    fillSlots(s.slots, live);
    renderedRef.current?.(fillLiveSvg(s.svg, live));
    // eslint-disable-next-line react-hooks/exhaustive-deps -- liveKey stands for live's content; source only gates
  }, [liveKey]);

  useEffect(() => {
    let cancelled = false;
    setRendering(true);
    setWired(false);
    (async () => {
      try {
        const t0 = performance.now();
        const config = drawingConfig(kind);
        // each shown copy gets an id of its own: two drawings on a page never share an element id
        const shownId = `mmd${uid}x${seq++}`;
        const served = servedRef.current;
        const made = served ? { svg: withDrawingId(served.svg, renderIdFor(served.key), shownId), hit: true } : await drawHere(config, source, shownId);
        const hit = made.hit;
        if (cancelled || !ref.current) return;
        const svg = sized(made.svg);
        ref.current.innerHTML = svg;
        // the values before the first paint of this drawing (a placeholder is never seen), the latest ones by now
        shown.current = { source, svg, slots: liveSlots(ref.current) };
        fillSlots(shown.current.slots, liveRef.current);
        for (const g of ref.current.querySelectorAll<SVGGElement>("g.node")) {
          const m = NODE_DOM_ID.exec(g.id);
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
        // a hit's time: key, read and the drawing in the page (a render's insertion is not in "mermaid: render")
        if (hit) performance.measure(served ? "mermaid: server's drawing" : "mermaid: cache hit", { start: t0, end: performance.now() });
        setError(null);
        setWired(true);
        renderedRef.current?.(fillLiveSvg(svg, liveRef.current));
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
  }, [source, uid, kind]);

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
        <PanZoom drawing={ref} ready={wired && !error} busy={rendering || !!error} firstHtml={firstHtml} {...panZoom} label={label} />
      ) : (
        <div ref={ref} role="img" aria-label={label} style={{ overflow: "auto", maxHeight: fit ? undefined : "75vh" }} dangerouslySetInnerHTML={firstHtml} />
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

function PanZoom({ drawing, ready, busy, firstHtml, areas, defaultArea, minLabelPx, label }: { drawing: React.RefObject<HTMLDivElement | null>; ready: boolean; busy: boolean; firstHtml?: { __html: string }; label: string } & NonNullable<MermaidProps["panZoom"]>) {
  const box = useRef<HTMLDivElement>(null);
  // hidden until placed on its default area: a drawing that came with the page is not shown unzoomed, then moved
  const [placed, setPlaced] = useState(false);
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
    setPlaced(true);
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
        {!busy && !placed && (
          <span className="muted small">
            <span className="spinner" /> placing the drawing…
          </span>
        )}
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
        <div ref={drawing} role="img" aria-label={label} data-testid="graph-drawing" style={{ transform: `translate(${view.x}px, ${view.y}px) scale(${view.s})`, transformOrigin: "0 0", width: "max-content", visibility: placed ? "visible" : "hidden" }} dangerouslySetInnerHTML={firstHtml} />
      </div>
    </div>
  );
}
