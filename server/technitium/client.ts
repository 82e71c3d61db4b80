import "server-only";
import { env } from "@/server/env";
import { AppError } from "@/server/errors";

/**
 * One client per Technitium instance. The token travels as the `token` form/query field, which 14.x and 15.x both
 * read (14.x ignores a Bearer header). HTTP 200 with `status: error|invalid-token` and a 404 with an empty body are
 * failures carrying the server's message. Tokens never appear in errors or logs.
 */
export interface TechnitiumInstance {
  name: string;
  url: string;
  /** The first instance in TECHNITIUM_INSTANCES is the zone primary. */
  primary: boolean;
}

export class TechnitiumError extends Error {
  constructor(
    readonly instance: string,
    readonly kind: "unreachable" | "timeout" | "invalid-token" | "error" | "not-found" | "bad-response",
    message: string,
  ) {
    super(`${instance}: ${message}`);
    this.name = "TechnitiumError";
  }
}

export interface CallOptions {
  method?: "GET" | "POST";
  timeoutMs?: number;
  /** Retries on network errors and timeouts only, for idempotent calls. */
  retries?: number;
}

export class TechnitiumClient {
  constructor(
    readonly instance: TechnitiumInstance,
    private readonly token: string,
    private readonly defaultTimeoutMs = 8000,
    private readonly fetchImpl: typeof fetch = fetch,
  ) {}

  get name(): string {
    return this.instance.name;
  }

  /** Call `/api/<path>`; resolves to the payload (`response` where present, else the whole envelope). */
  async call<T = Record<string, unknown>>(path: string, params: Record<string, string | number | boolean | undefined> = {}, opts: CallOptions = {}): Promise<T> {
    const method = opts.method ?? "GET";
    const retries = opts.retries ?? (method === "GET" ? 2 : 0);
    let lastErr: unknown;
    for (let attempt = 0; attempt <= retries; attempt++) {
      try {
        return await this.once<T>(path, params, method, opts.timeoutMs ?? this.defaultTimeoutMs);
      } catch (err) {
        lastErr = err;
        const transient = err instanceof TechnitiumError && (err.kind === "unreachable" || err.kind === "timeout");
        if (!transient || attempt === retries) throw err;
        await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
      }
    }
    throw lastErr;
  }

  private async once<T>(path: string, params: Record<string, string | number | boolean | undefined>, method: "GET" | "POST", timeoutMs: number): Promise<T> {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined) body.set(k, String(v));
    body.set("token", this.token);
    const url = `${this.instance.url}/api/${path.replace(/^\/+/, "")}`;
    let res: Response;
    try {
      res = await this.fetchImpl(method === "GET" ? `${url}?${body}` : url, {
        method,
        headers: method === "POST" ? { "content-type": "application/x-www-form-urlencoded" } : undefined,
        body: method === "POST" ? body.toString() : undefined,
        signal: AbortSignal.timeout(timeoutMs),
        cache: "no-store",
      });
    } catch (err) {
      const name = err instanceof Error ? err.name : "";
      if (name === "TimeoutError" || name === "AbortError") throw new TechnitiumError(this.name, "timeout", `no answer within ${timeoutMs} ms`);
      throw new TechnitiumError(this.name, "unreachable", `cannot reach ${this.instance.url} (${describeNetworkError(err)})`);
    }
    const text = await res.text();
    if (res.status === 404 && !text.trim()) throw new TechnitiumError(this.name, "not-found", `API path /api/${path} does not exist on this server version`);
    let json: { status?: string; errorMessage?: string; innerErrorMessage?: string; response?: unknown };
    try {
      json = JSON.parse(text);
    } catch {
      throw new TechnitiumError(this.name, "bad-response", `HTTP ${res.status} with a non-JSON body`);
    }
    if (json.status === "invalid-token")
      throw new TechnitiumError(this.name, "invalid-token", `the API token was refused (${json.errorMessage ?? "invalid or expired"}); set a valid one in ${tokenVarHint(this.name)}`);
    if (json.status !== "ok") {
      const msg = [json.errorMessage, json.innerErrorMessage].filter(Boolean).join(": ") || `status ${String(json.status)}`;
      throw new TechnitiumError(this.name, "error", msg);
    }
    return (json.response !== undefined ? json.response : json) as T;
  }
}

function tokenVarHint(name: string): string {
  return `TECHNITIUM_TOKEN_${name.toUpperCase().replace(/-/g, "_")}`;
}

function describeNetworkError(err: unknown): string {
  const cause = (err as { cause?: { code?: string } })?.cause;
  return cause?.code ?? (err instanceof Error ? err.message : "network error");
}

/** All configured instances, the primary first. */
export function technitiumClients(): TechnitiumClient[] {
  const e = env();
  return e.TECHNITIUM_INSTANCES.map((i, idx) => new TechnitiumClient({ ...i, primary: idx === 0 }, e.technitiumTokens.get(i.name)!, e.TECHNITIUM_TIMEOUT_MS));
}

export function technitiumClient(name: string): TechnitiumClient {
  const c = technitiumClients().find((x) => x.name === name);
  if (!c) throw new AppError("not_found", `no Technitium instance named "${name}"`);
  return c;
}
