// The twin's own HTTPS client for its Kubernetes API (the DNS chain and Technitium twins poll it, tests call raw
// paths): Node's global fetch cannot be given a CA on Node 20, so this is a small fetch-shaped wrapper over
// node:https that trusts the CAs of the Kubernetes twins started in this process (and the system's).
import https from "node:https";
import http from "node:http";
import { createSecureContext, rootCertificates, type SecureContext } from "node:tls";

const trusted = new Set<string>();
/**
 * One TLS context per set of trusted CAs: building one parses the ~140 system roots, which cost the demo a quarter of a
 * core when it was done for every request (the DNS chain and Technitium twins poll the API every second or so).
 */
const contexts = new Map<string, SecureContext>();
function contextFor(extra?: string): SecureContext {
  const key = extra ?? "";
  let ctx = contexts.get(key);
  if (!ctx) {
    if (contexts.size > 16) contexts.clear();
    ctx = createSecureContext({ ca: [...rootCertificates, ...trusted, ...(extra ? [extra] : [])] });
    contexts.set(key, ctx);
  }
  return ctx;
}

/** Trust a twin CA for kubeFetch in this process (startKubeTwin calls it). */
export function trustTwinCa(pem: string) {
  trusted.add(pem);
  contexts.clear();
}

export interface KubeFetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  signal?: AbortSignal;
  /** Extra CA (PEM) beyond the twins registered in this process. */
  ca?: string;
}

export interface KubeFetchResponse {
  ok: boolean;
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
  json(): Promise<any>;
}

export function kubeFetch(url: string, init: KubeFetchInit = {}): Promise<KubeFetchResponse> {
  const u = new URL(url);
  const lib = u.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(
      u,
      // no keep-alive pool: a twin that stops must not be held open by an idle client socket (nor the test process)
      { method: init.method ?? "GET", headers: { ...(init.body !== undefined ? { "content-length": String(Buffer.byteLength(init.body)) } : {}), ...init.headers }, ...(lib === https ? { secureContext: contextFor(init.ca) } : {}), agent: false, signal: init.signal },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("error", reject);
        res.on("end", () => {
          const body = Buffer.concat(chunks).toString("utf8");
          resolve({
            ok: (res.statusCode ?? 0) >= 200 && (res.statusCode ?? 0) < 300,
            status: res.statusCode ?? 0,
            headers: { get: (n) => { const v = res.headers[n.toLowerCase()]; return v === undefined ? null : Array.isArray(v) ? v.join(", ") : v; } },
            text: async () => body,
            json: async () => JSON.parse(body),
          });
        });
      },
    );
    req.on("error", reject);
    if (init.body !== undefined) req.write(init.body);
    req.end();
  });
}
