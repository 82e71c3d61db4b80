/** Keys whose values never reach the audit log, the browser or stdout. */
const SECRET_KEY = /(token|secret|password|passwd|jwt|authorization|cookie|apikey|api_key|credential)/i;

/** A bounded, secret-free summary of an input for the audit log. */
export function summariseInput(value: unknown, depth = 0): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value === "string") return bounded(value);
  if (typeof value === "number" || typeof value === "boolean") return value;
  if (depth >= 4) return "…";
  if (Array.isArray(value)) {
    const items = value.slice(0, 20).map((v) => summariseInput(v, depth + 1));
    return value.length > 20 ? [...items, `… ${value.length - 20} more`] : items;
  }
  if (typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>).slice(0, 40)) {
      out[bounded(k, 100)] = SECRET_KEY.test(k) ? "[redacted]" : summariseInput(v, depth + 1);
    }
    return out;
  }
  return String(value);
}

/** At most `max` characters, NUL written out (PostgreSQL refuses it in text and JSON, and the row must be written). */
function bounded(value: string, max = 200): string {
  const s = value.length > max ? `${value.slice(0, max)}… (${value.length} chars)` : value;
  return s.replace(/\u0000/g, "\\u0000");
}

export function redactText(text: string): string {
  return text.replace(/([?&](?:token|pass|password)=)[^&\s]+/gi, "$1[redacted]");
}
