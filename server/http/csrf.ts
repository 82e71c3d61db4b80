/** Refuse browser requests sent from another site (CSRF). Automation without Origin/Sec-Fetch headers passes. */
export function crossSiteReason(h: { get(name: string): string | null }): string | null {
  if (h.get("sec-fetch-site") === "cross-site") return "cross-site request refused";
  const origin = h.get("origin");
  if (!origin || origin === "null") return origin === "null" ? "cross-site request refused (opaque origin)" : null;
  const host = h.get("x-forwarded-host") ?? h.get("host");
  try {
    if (new URL(origin).host !== host) return `cross-site request refused: origin ${origin} is not this site`;
  } catch {
    return "cross-site request refused: bad Origin header";
  }
  return null;
}
