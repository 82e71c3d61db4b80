/**
 * Building blocks for mermaid source that contains live strings (zone, pod, node names, versions, errors).
 * Pure: no I/O, no `server-only`, so the e2e spec can build a hostile graph with it, and the browser's drawing
 * (app/_components/mermaid.tsx) fills the live placeholders with it — keep it free of secrets and server imports.
 *
 * Why this is strict: a label is the only place a live string reaches mermaid. Inside `id["…"]` a raw `"` ends the
 * label, `;`/newline end the statement (then `click X call …` or `%%` would be parsed), and `<…>` becomes HTML in
 * htmlLabels. So every character outside a small safe set becomes a mermaid entity code `#<codepoint>;`, which
 * mermaid turns into an HTML character reference (`&#60;`) — displayed as the character, never parsed as markup.
 * (`:`, `'` and `~` stay readable: harmless inside a quoted label.)
 */

const SAFE = /[A-Za-z0-9 .,_\-/@+=:'~]/;
const MAX_LIVE = 120;

/** Escape one line of live text for use inside a quoted mermaid label. */
export function escapeLabelText(raw: unknown, max = MAX_LIVE): string {
  let s = typeof raw === "string" ? raw : raw === undefined || raw === null ? "" : String(raw);
  // the placeholder brackets are dnsdeck's alone (livePlaceholder): in any other text they are shown as [ ], so no
  // pod or zone name can pass for a placeholder and be filled with a number
  s = s.replace(/[\u0000-\u001f\u007f]/g, " ").replace(/\u27e6/g, "[").replace(/\u27e7/g, "]");
  const chars = Array.from(s);
  const cut = chars.length > max;
  let out = "";
  for (const ch of cut ? chars.slice(0, max) : chars) out += SAFE.test(ch) ? ch : `#${ch.codePointAt(0)};`;
  return cut ? `${out}#8230;` : out;
}

/**
 * A quoted label from lines. `fixed` lines are dnsdeck's own text (escaped too — cheap and uniform); the result is
 * the complete `["…"]` part, joined by `<br/>`, the only markup dnsdeck itself adds. A LiveLine's values become
 * placeholders.
 */
export function quotedLabel(lines: unknown[]): string {
  return `["${lines.map(labelLine).join("<br/>")}"]`;
}

/** Edge label `|…|`, escaped the same way (a raw `|` would end it). */
export function edgeLabel(text: string | LiveLine): string {
  return `|"${labelLine(text)}"|`;
}

const labelLine = (l: unknown) => (l instanceof LiveLine ? l.parts.map((p) => (typeof p === "string" ? escapeLabelText(p) : livePlaceholder(p.token, p.width))).join("") : escapeLabelText(l));

/*
 * Live values: numbers that move on every read (queries/s, ingest lag, row estimate, "last run 5m ago"). Written into
 * the source they would make it new on every refresh, and the browser could never reuse a drawing (mermaid-cache.ts).
 * So the source carries a placeholder per value and the response a map token → value; the browser writes the values
 * into the drawn SVG's text (app/_components/mermaid.tsx). Only the numbers move out: health classes, ids, edges and
 * every state word (suspended, DOWN, not deployed) stay in the source, so a change of state is still a new drawing.
 *
 * A placeholder is ⟦token⟧ padded inside the brackets with figure spaces to the value's reserved width in characters:
 * mermaid sizes a box from the text it draws, so the placeholder must be about as wide as the value. A figure space
 * is as wide as a digit, and neither HTML whitespace collapsing nor mermaid's trimming touches it between the brackets.
 * The brackets pass mermaid's strict sanitising as plain text, and escapeLabelText keeps them out of every other text.
 */
const OPEN = "\u27e6"; // ⟦
const CLOSE = "\u27e7"; // ⟧
const PAD = "\u2007"; // figure space
const code = (ch: string) => `#${ch.codePointAt(0)};`;

/** One live value in a label: its token (a generated id), its current text and the characters it reserves. */
export interface LiveValue {
  token: string;
  value: string;
  width: number;
}

/** A label line with live values in it. As a string (the node list, the details panel) it reads with the values. */
export class LiveLine {
  constructor(readonly parts: (string | LiveValue)[]) {}
  toString(): string {
    return this.parts.map((p) => (typeof p === "string" ? p : p.value)).join("");
  }
}

/**
 * The placeholder length (characters) a value reserves: the first of `tiers` it fits, so small moves of the number
 * keep the same placeholder; wider than every tier, its own estimate (the source changes then, the box fits the value).
 * A figure space is as wide as a digit, about 1.25 times the average character of a value such as " · 9.5 q/s" or
 * "84m ago" (measured in the graph's label font, 16 px trebuchet ms: 10 px against 7–8 px).
 */
export function reservedWidth(value: string, tiers: number[]): number {
  const n = Math.ceil(Array.from(value).length * 0.8);
  return tiers.find((t) => t >= n) ?? n;
}

/** The placeholder as written in mermaid source (entity codes, as escapeLabelText writes every non-plain character). */
export function livePlaceholder(token: string, width: number): string {
  if (!isSafeId(token)) throw new Error(`bad live token ${token}`);
  return code(OPEN) + token + code(PAD).repeat(Math.max(0, width - token.length - 2)) + code(CLOSE);
}

/** Placeholders in drawn text (the characters mermaid wrote for the entity codes). */
const DRAWN = new RegExp(`${OPEN}([a-z][a-zA-Z0-9]*)${PAD}*${CLOSE}`, "g");
/** Placeholders in mermaid source. */
const IN_SOURCE = new RegExp(`${code(OPEN)}([a-z][a-zA-Z0-9]*)(?:${code(PAD)})*${code(CLOSE)}`, "g");

export type LiveValues = Record<string, string>;
const valueOf = (live: LiveValues | undefined, token: string) => (live && Object.hasOwn(live, token) ? live[token] : "?");

/** Whether drawn text holds a placeholder. */
export const hasLivePlaceholder = (text: string) => text.includes(OPEN) && new RegExp(DRAWN.source).test(text);

/** Drawn text with its placeholders replaced by the values, as plain text (for a DOM text node's data). */
export function fillLiveText(text: string, live: LiveValues | undefined): string {
  return text.replace(DRAWN, (_m, token: string) => valueOf(live, token));
}

/** An SVG document's text with the values written in, escaped as XML text (the downloaded SVG). */
export function fillLiveSvg(svg: string, live: LiveValues | undefined): string {
  return svg.replace(DRAWN, (_m, token: string) => valueOf(live, token).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`));
}

/** Mermaid source with the values written in as labels carry them (escaped): the file "Download mermaid" gives. */
export function fillLiveSource(source: string, live: LiveValues | undefined): string {
  return source.replace(IN_SOURCE, (_m, token: string) => escapeLabelText(valueOf(live, token)));
}

/** Ids are always generated by dnsdeck: a fixed prefix and a counter, never a live string. */
export function makeIdFactory(prefix: string): () => string {
  let n = 0;
  if (!/^[a-z][a-zA-Z0-9]*$/.test(prefix)) throw new Error(`bad id prefix ${prefix}`);
  return () => `${prefix}${n++}`;
}

export const isSafeId = (id: string) => /^[a-z][a-zA-Z0-9]*$/.test(id);

export type Health = "healthy" | "degraded" | "down" | "unknown";

/** classDefs for health colours (dark theme). No trailing `;` — mermaid strips one from classDef lines. */
export const HEALTH_CLASSDEFS = [
  "classDef healthy fill:#143d22,stroke:#3fb950,color:#e3e8ef",
  "classDef degraded fill:#3d3110,stroke:#d29922,color:#e3e8ef",
  "classDef down fill:#4a1616,stroke:#f85149,color:#e3e8ef",
  "classDef unknown fill:#1d2530,stroke:#8b97a8,color:#e3e8ef,stroke-dasharray:4 3",
];

/** `class a,b healthy` lines for every health that has members. */
export function classLines(nodes: { id: string; health: Health }[]): string[] {
  const by = new Map<Health, string[]>();
  for (const n of nodes) by.set(n.health, [...(by.get(n.health) ?? []), n.id]);
  return (["healthy", "degraded", "down", "unknown"] as Health[]).filter((h) => by.get(h)?.length).map((h) => `class ${by.get(h)!.join(",")} ${h}`);
}
