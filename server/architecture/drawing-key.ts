/**
 * What a mermaid drawing depends on, shared by the browser (app/_components/mermaid.tsx, its localStorage cache) and
 * the server's renderer (drawing.ts): the config each kind of drawing is made with, the key that names a drawing, the
 * id it is rendered with, and the string edits made to a drawn SVG before it is shown. Pure: no DOM, no Node.
 */

/** How a drawing is shown: scaled to its box, at natural size with scrolling, or in the pan-and-zoom box. */
export type DrawingKind = "fit" | "natural" | "panzoom";

/** Tighter spacing for the big pan-and-zoom graph: less empty space between ranks, so more of it fits a view. */
const PANZOOM_LAYOUT = { rankSpacing: 20, nodeSpacing: 40, padding: 10 };

/** The mermaid config a kind of drawing is made with — the same object wherever it is drawn. */
export function drawingConfig(kind: DrawingKind) {
  return {
    startOnLoad: false,
    securityLevel: "strict" as const,
    theme: "dark" as const,
    flowchart: { htmlLabels: true, useMaxWidth: kind === "fit", ...(kind === "panzoom" ? PANZOOM_LAYOUT : {}) },
  };
}

/**
 * A drawing made on the server for the source it travels beside (the verb's answer holds both): its kind, its key and
 * the SVG, rendered with `renderIdFor(key)` as its id.
 */
export interface Drawn {
  kind: DrawingKind;
  key: string;
  /** sourceTag of the source it was drawn from: the browser shows it only beside that source. */
  of: string;
  svg: string;
}

/**
 * A cheap fingerprint of a source (its length and 32-bit FNV-1a), which the browser can work out without SubtleCrypto
 * (absent over plain HTTP): a drawing that travels with another source than its own (an answer edited on its way, a
 * mix-up) is not shown for it. Not a defence against anyone — the server is trusted — only against showing the wrong graph.
 */
export function sourceTag(source: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < source.length; i++) {
    h ^= source.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return `${source.length}:${h.toString(16)}`;
}

/** The same JSON for equal values whatever order their keys were written in (object keys sorted at every depth). */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map((k) => [k, (v as Record<string, unknown>)[k]]),
        )
      : v,
  );
}

/**
 * The key: SHA-256 (hex) over the three things a drawing depends on. null where SubtleCrypto is missing — in a browser
 * it exists only in secure contexts (HTTPS, localhost), so a console served over plain HTTP simply draws every time.
 */
export async function drawingKey(mermaidVersion: string, config: unknown, source: string): Promise<string | null> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) return null;
  const bytes = new TextEncoder().encode(stableJson({ mermaid: mermaidVersion, config, source }));
  const digest = new Uint8Array(await subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The id a drawing is rendered with, so a kept SVG does not carry one page visit's id. mermaid writes the id into
 * the SVG's id, its CSS selectors (#id …), marker ids and every node's and edge's id. It is never put into the
 * document as is (withDrawingId gives each shown copy its own id): mermaid removes any element that already has the
 * id it is about to render with. 80 bits of the key cannot turn up in a label by chance, and a label cannot be made
 * to contain it on purpose: the id is a hash of the source that holds the label.
 */
export function renderIdFor(key: string): string {
  return `mmdc${key.slice(0, 20)}`;
}

/** The drawing with every occurrence of one id replaced by another (each shown copy unique in the document). */
export function withDrawingId(svg: string, from: string, to: string): string {
  return svg.split(from).join(to);
}

/**
 * A pan-and-zoom drawing at its natural size: one SVG unit is one CSS pixel at zoom 1 (so the zoom factor is the
 * label scale). mermaid writes `width="100%"` and a max-width style; the root element gets the viewBox's size instead.
 * Done on the text, so a drawing that arrives with the page is laid out right from its first paint.
 */
export function atNaturalSize(svg: string): string {
  const end = svg.indexOf(">");
  if (!svg.startsWith("<svg") || end < 0) return svg;
  const head = svg.slice(0, end);
  const vb = /\sviewBox="\s*[-\d.e]+[\s,]+[-\d.e]+[\s,]+([\d.e]+)[\s,]+([\d.e]+)\s*"/.exec(head);
  if (!vb || !(Number(vb[1]) > 0)) return svg;
  const bare = head
    .replace(/\s(width|height)="[^"]*"/g, "")
    .replace(/\sstyle="[^"]*"/, "");
  return `${bare} width="${vb[1]}" height="${vb[2]}" style="max-width: none;"${svg.slice(end)}`;
}
