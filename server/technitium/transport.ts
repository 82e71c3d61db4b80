import { TechnitiumError, refusalOf } from "./errors";

/**
 * The wire to one Technitium instance: `/api/<path>` with the token as the `token` form/query field (14.x and 15.x
 * both read it; 14.x ignores a Bearer header), a timeout per call, retries of idempotent calls on network errors only.
 * HTTP 200 with `status: error|invalid-token` and a 404 with an empty body are failures carrying the server's message.
 * Tokens never appear in errors or logs. Only the door (server/technitium) calls this; everything else uses the typed
 * `TechnitiumApi`.
 */
export interface TechnitiumInstance {
  name: string;
  url: string;
  /** The first instance in TECHNITIUM_INSTANCES is the zone primary. */
  primary: boolean;
}

export interface CallOptions {
  method?: "GET" | "POST";
  timeoutMs?: number;
  /** Retries on network errors and timeouts only, for idempotent calls (default 2 for GET, 0 for POST). */
  retries?: number;
}

export type Params = Record<string, string | number | boolean | undefined>;

export class TechnitiumClient {
  constructor(
    readonly instance: TechnitiumInstance,
    private readonly token: string,
    readonly defaultTimeoutMs = 8000,
    private readonly fetchImpl: typeof fetch = fetch,
    /** Where the configured URL is really reached (./endpoint.ts: a Service name becomes its ClusterIP). */
    private readonly locate: (url: string) => Promise<{ url: string; via: string }> = async (url) => ({ url, via: "as configured" }),
  ) {}

  get name(): string {
    return this.instance.name;
  }

  /** Call `/api/<path>`; resolves to the payload (`response` where present, else the whole envelope). */
  async call<T = Record<string, unknown>>(path: string, params: Params = {}, opts: CallOptions = {}): Promise<T> {
    const method = opts.method ?? "GET";
    const retries = opts.retries ?? (method === "GET" ? 2 : 0);
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.once<T>(path, params, method, opts.timeoutMs ?? this.defaultTimeoutMs);
      } catch (err) {
        if (!(err instanceof TechnitiumError && err.down) || attempt >= retries) throw err;
        await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
      }
    }
  }

  private async once<T>(path: string, params: Params, method: "GET" | "POST", timeoutMs: number): Promise<T> {
    const body = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined) body.set(k, String(v));
    body.set("token", this.token);
    let res: Response;
    let text: string;
    let where = { url: this.instance.url, via: "as configured" };
    try {
      where = await this.locate(this.instance.url);
      const url = `${where.url}/api/${path.replace(/^\/+/, "")}`;
      res = await this.fetchImpl(method === "GET" ? `${url}?${body}` : url, {
        method,
        headers: method === "POST" ? { "content-type": "application/x-www-form-urlencoded" } : undefined,
        body: method === "POST" ? body.toString() : undefined,
        signal: AbortSignal.timeout(timeoutMs),
        cache: "no-store",
      });
      text = await res.text();
    } catch (err) {
      const name = err instanceof Error ? err.name : "";
      if (name === "TimeoutError" || name === "AbortError") throw new TechnitiumError(this.name, "timeout", `no answer within ${timeoutMs} ms`);
      const via = where.via === "as configured" ? "" : `, via ${where.via}`;
      throw new TechnitiumError(this.name, "unreachable", `cannot reach ${this.instance.url} (${describeNetworkError(err)}${via})`);
    }
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
      throw new TechnitiumError(this.name, "error", msg, refusalOf(json.errorMessage ?? ""));
    }
    return (json.response !== undefined ? json.response : json) as T;
  }
}

export function tokenVarHint(name: string): string {
  return `TECHNITIUM_TOKEN_${name.toUpperCase().replace(/-/g, "_")}`;
}

function describeNetworkError(err: unknown): string {
  const cause = (err as { cause?: { code?: string } })?.cause;
  return cause?.code ?? (err instanceof Error ? err.message : "network error");
}
