/** URL state of the Query logs page (shared by the server page and the client view). Pure. */
export const PRESETS: Record<string, number> = {
  "15m": 15 * 60_000,
  "1h": 3_600_000,
  "6h": 6 * 3_600_000,
  "24h": 86_400_000,
  "7d": 7 * 86_400_000,
  "30d": 30 * 86_400_000,
  "90d": 90 * 86_400_000,
};

export const FILTER_KEYS = ["server", "client", "clientKind", "clientName", "qname", "qtype", "rcode", "responseType", "protocol"] as const;
export type FilterKey = (typeof FILTER_KEYS)[number];

/** An address filter and a who-asked filter exclude each other (the API refuses both): setting one clears the other. */
export function withFilter(filters: ViewState["filters"], k: FilterKey, v: string | undefined): ViewState["filters"] {
  const out = { ...filters, [k]: v || undefined };
  if (v && k === "client") out.clientKind = out.clientName = undefined;
  if (v && (k === "clientKind" || k === "clientName")) out.client = undefined;
  return out;
}

export interface ViewState {
  range: string; // a preset or "custom"
  from?: string;
  to?: string;
  cursor?: string;
  filters: Partial<Record<FilterKey, string>>;
}

export function readState(sp: Record<string, string | string[] | undefined>): ViewState {
  const one = (k: string) => {
    const v = sp[k];
    return (Array.isArray(v) ? v[0] : v) || undefined;
  };
  // a range the page does not offer (a hand-edited link: range=3d) reads as if absent — else the select would show its
  // first option while the answer covers the default 24 h
  const asked = one("range");
  const range = asked && (asked === "custom" || PRESETS[asked] !== undefined) ? asked : one("from") ? "custom" : "24h";
  const filters: ViewState["filters"] = {};
  for (const k of FILTER_KEYS) if (one(k)) filters[k] = one(k);
  return { range, from: one("from"), to: one("to"), cursor: one("cursor"), filters };
}

/** API query string for the state (presets resolve against `now`). */
export function apiParams(s: ViewState, now = Date.now()): URLSearchParams {
  const p = new URLSearchParams();
  if (s.range !== "custom" && PRESETS[s.range]) p.set("from", new Date(now - PRESETS[s.range]).toISOString());
  else {
    if (s.from) p.set("from", s.from);
    if (s.to) p.set("to", s.to);
  }
  for (const [k, v] of Object.entries(s.filters)) if (v) p.set(k, v);
  return p;
}

/** Page URL for the state. */
export function pageHref(s: ViewState): string {
  const p = new URLSearchParams();
  p.set("range", s.range);
  if (s.range === "custom") {
    if (s.from) p.set("from", s.from);
    if (s.to) p.set("to", s.to);
  }
  for (const [k, v] of Object.entries(s.filters)) if (v) p.set(k, v);
  if (s.cursor) p.set("cursor", s.cursor);
  return `/query-logs?${p}`;
}

/** The clock reading a server render resolves presets against (one per request, passed down to the client view). */
export const renderedAt = () => Date.now();
