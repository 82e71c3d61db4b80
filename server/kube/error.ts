import "server-only";

/**
 * The Kubernetes door's one error. Everything the API (or the way to it) answers that is not a success becomes a
 * KubeError carrying the API's Status (code, reason, message, causes) and what dnsdeck was doing; server/error-map.ts
 * maps it to HTTP by its status code. Callers that decide on an outcome (a 404 meaning "absent", a 409 naming
 * conflicting managers) read `kind` or `status`, never the message text.
 */
export interface KubeStatus {
  /** HTTP status; 0 = no answer (not configured, unreachable). */
  code: number;
  reason?: string;
  message: string;
  causes?: { type?: string; reason?: string; field?: string; message?: string }[];
}

export type KubeErrorKind = "not_configured" | "unreachable" | "timeout" | "not_found" | "conflict" | "invalid" | "denied" | "throttled" | "failed";

export class KubeError extends Error {
  override readonly name = "KubeError";
  readonly kind: KubeErrorKind;
  constructor(
    /** What dnsdeck was doing, e.g. "reading DaemonSet kube-system/node-local-dns". */
    readonly what: string,
    readonly status: KubeStatus,
  ) {
    super(status.message);
    this.kind = kindOf(status);
  }
}

function kindOf(s: KubeStatus): KubeErrorKind {
  if (s.reason === "NotConfigured") return "not_configured";
  if (s.code === 504 || s.reason === "Timeout") return "timeout";
  if (s.code === 0 || s.code === 503) return "unreachable";
  if (s.code === 404) return "not_found";
  if (s.code === 409) return "conflict";
  if (s.code === 400 || s.code === 422) return "invalid";
  if (s.code === 401 || s.code === 403) return "denied";
  if (s.code === 429) return "throttled";
  return "failed";
}

/**
 * Anything a call threw → KubeError. ApiException's body arrives as raw text (reference: kubernetes-api): the Status
 * object is parsed here; an aborted request is a timeout of `timeoutMs`; anything else is "unreachable".
 */
export function toKubeError(err: unknown, what: string, timeoutMs?: number): KubeError {
  if (err instanceof KubeError) return err;
  const e = (err ?? {}) as { name?: string; code?: unknown; body?: unknown; headers?: unknown; message?: string };
  if (e.name === "AbortError" || e.name === "TimeoutError")
    return new KubeError(what, { code: 504, reason: "Timeout", message: `Timeout: ${what} took longer than ${timeoutMs ?? "the allowed"} ms` });
  if (typeof e.code === "number" && "body" in e) return new KubeError(what, statusOf(e.code, e.body));
  const msg = err instanceof Error ? err.message : String(err);
  return new KubeError(what, { code: 0, reason: "NetworkError", message: `Kubernetes API unreachable: ${msg}` });
}

function statusOf(code: number, raw: unknown): KubeStatus {
  let body = raw;
  if (typeof body === "string") {
    try {
      body = JSON.parse(body);
    } catch {
      /* plain text */
    }
  }
  if (body && typeof body === "object" && (body as { kind?: string }).kind === "Status") {
    const s = body as { code?: number; reason?: string; message?: string; details?: { causes?: KubeStatus["causes"] } };
    return { code: s.code ?? code, reason: s.reason, message: s.message ?? `HTTP ${code}`, causes: s.details?.causes };
  }
  return { code, message: typeof body === "string" && body ? body.slice(0, 500) : `HTTP ${code}` };
}

export const isNotFound = (err: unknown) => err instanceof KubeError && err.kind === "not_found";

/** FieldManagerConflict causes → [{field, manager}]; [] when the 409 is not an ownership conflict. */
export function conflictsOf(s: KubeStatus): { field: string; manager: string; message: string }[] {
  if (s.code !== 409) return [];
  // a Status cause's type is serialised as "reason" on the wire (apimachinery StatusCause `json:"reason"`)
  return (s.causes ?? [])
    .filter((c) => (c.reason ?? c.type) === "FieldManagerConflict")
    .map((c) => ({ field: c.field ?? "?", manager: /conflict with "([^"]+)"/.exec(c.message ?? "")?.[1] ?? "another manager", message: c.message ?? "" }));
}

/** A dry run refused because an admission webhook cannot dry-run (Kyverno and friends): "preview unavailable". */
export function isDryRunUnsupported(s: KubeStatus): boolean {
  return s.code === 400 && /does not support dry run/i.test(s.message);
}
