import "server-only";
import * as k8s from "@kubernetes/client-node";
import { env } from "@/server/env";
import { AppError } from "@/server/errors";

/**
 * The one way into the Kubernetes API: KUBECONFIG when set, else the in-cluster service account, else "not
 * configured". Everything else in server/ asks this module for clients and never builds its own.
 */
const g = globalThis as unknown as { __dnsdeckKube?: k8s.KubeConfig | null };

export function kubeConfig(): k8s.KubeConfig | null {
  if (g.__dnsdeckKube !== undefined) return g.__dnsdeckKube;
  const kc = new k8s.KubeConfig();
  const path = env().KUBECONFIG;
  if (path) kc.loadFromFile(path);
  else if (process.env.KUBERNETES_SERVICE_HOST) kc.loadFromCluster();
  else {
    g.__dnsdeckKube = null;
    return null;
  }
  g.__dnsdeckKube = kc;
  return kc;
}

export function requireKube(): k8s.KubeConfig {
  const kc = kubeConfig();
  if (!kc) throw new AppError("unavailable", "no Kubernetes API is configured: set KUBECONFIG or run dnsdeck in the cluster");
  return kc;
}

export const core = () => requireKube().makeApiClient(k8s.CoreV1Api);
export const apps = () => requireKube().makeApiClient(k8s.AppsV1Api);
export const batch = () => requireKube().makeApiClient(k8s.BatchV1Api);
export const policy = () => requireKube().makeApiClient(k8s.PolicyV1Api);
export const objects = () => k8s.KubernetesObjectApi.makeApiClient(requireKube());

/** `Warning: 299 - "text"` header values (several may be comma-joined) → the texts. */
export function parseWarnings(header: string | undefined): string[] {
  if (!header) return [];
  return [...header.matchAll(/\d{3} \S+ "((?:[^"\\]|\\.)*)"/g)].map((m) => m[1].replace(/\\(.)/g, "$1"));
}

/**
 * The object API for writes that must not lose fields: every PATCH/POST/PUT carries `fieldValidation=Strict` (an
 * unknown or duplicate field is a 400 naming it, instead of being dropped with only a warning), and every `Warning`
 * header the API server sends back goes to `onWarning` (deprecations, and anything else the server tells kubectl).
 * `body`: the object exactly as rendered — client-node's ObjectSerializer otherwise drops every field its models do
 * not know before the request leaves, so a misspelt field would vanish on our side instead of being refused.
 */
export function strictObjects(onWarning: (w: string) => void = () => {}, body?: unknown): k8s.KubernetesObjectApi {
  const kc = requireKube();
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new AppError("unavailable", "the kubeconfig has no current cluster");
  const config = k8s.createConfiguration({
    baseServer: new k8s.ServerConfiguration(cluster.server, {}),
    authMethods: { default: kc },
    promiseMiddleware: [
      {
        pre: async (ctx) => {
          if (ctx.getHttpMethod() !== k8s.HttpMethod.GET) {
            ctx.setQueryParam("fieldValidation", "Strict");
            if (body !== undefined) ctx.setBody(JSON.stringify(body));
          }
          return ctx;
        },
        post: async (rsp) => {
          for (const w of parseWarnings(rsp.headers["warning"])) onWarning(w);
          return rsp;
        },
      },
    ],
  });
  return StrictObjectApi.create(config, kc);
}

class StrictObjectApi extends k8s.KubernetesObjectApi {
  static create(config: k8s.Configuration, kc: k8s.KubeConfig): StrictObjectApi {
    const api = new StrictObjectApi(config);
    api.setDefaultNamespace(kc); // as makeApiClient does: the context's namespace for objects without one
    return api;
  }
}

/** Field manager for dnsdeck's declarative applies; restarts use RESTART_MANAGER so the next apply keeps them. */
export const FIELD_MANAGER = "dnsdeck";
export const RESTART_MANAGER = "dnsdeck-restart";

export interface KubeStatus {
  code: number;
  reason?: string;
  message: string;
  causes?: { type?: string; field?: string; message?: string }[];
}

/** Normalise an ApiException (whose body is raw text) or a network error into a Status-like object. */
export function kubeStatus(err: unknown): KubeStatus {
  if (err instanceof k8s.ApiException) {
    let body: unknown = err.body;
    if (typeof body === "string") {
      try {
        body = JSON.parse(body);
      } catch {
        /* plain text */
      }
    }
    if (body && typeof body === "object" && "kind" in body && (body as { kind: string }).kind === "Status") {
      const s = body as { code?: number; reason?: string; message?: string; details?: { causes?: KubeStatus["causes"] } };
      return { code: s.code ?? err.code, reason: s.reason, message: s.message ?? `HTTP ${err.code}`, causes: s.details?.causes };
    }
    return { code: err.code, message: typeof body === "string" && body ? body.slice(0, 500) : `HTTP ${err.code}` };
  }
  const msg = err instanceof Error ? err.message : String(err);
  return { code: 0, reason: "NetworkError", message: `Kubernetes API unreachable: ${msg}` };
}

/** A cheap reachability probe for /api/v1/ready. */
export async function checkKube(): Promise<{ ok: true; version?: string } | { ok: false; error: string }> {
  const kc = kubeConfig();
  if (!kc) return { ok: false, error: "not configured (set KUBECONFIG or run in the cluster)" };
  try {
    const v = await kc.makeApiClient(k8s.VersionApi).getCode();
    return { ok: true, version: v.gitVersion };
  } catch (err) {
    return { ok: false, error: kubeStatus(err).message };
  }
}
