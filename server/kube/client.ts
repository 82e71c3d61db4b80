import "server-only";
import type * as http from "node:http";
import * as https from "node:https";
import * as k8s from "@kubernetes/client-node";
import { type Budget, requireKube, timeoutMs } from "./config";
import { toKubeError } from "./error";

/**
 * The Kubernetes clients, private to server/kube: each is built with a middleware that aborts every request after
 * its budget (config.ts), and `call` turns whatever a call throws into a KubeError naming what was being done. The
 * rest of dnsdeck calls the typed functions of objects.ts, workloads.ts, jobs.ts and logs.ts, never these.
 */

/**
 * Writes that must not lose fields: every PATCH/POST/PUT carries `fieldValidation=Strict` (an unknown or duplicate
 * field is a 400 naming it, instead of being dropped with only a warning), and every `Warning` header the API server
 * sends back goes to `onWarning` (deprecations, and anything else the server tells kubectl). `body`: the object
 * exactly as rendered — client-node's ObjectSerializer otherwise drops every field its models do not know before the
 * request leaves, so a misspelt field would vanish on our side instead of being refused.
 */
export interface Strict {
  onWarning: (w: string) => void;
  body?: unknown;
}

/** `Warning: 299 - "text"` header values (several may be comma-joined) → the texts. */
export function parseWarnings(header: string | undefined): string[] {
  if (!header) return [];
  return [...header.matchAll(/\d{3} \S+ "((?:[^"\\]|\\.)*)"/g)].map((m) => m[1].replace(/\\(.)/g, "$1"));
}

/**
 * One keep-alive agent per TLS identity. client-node builds a new https.Agent for every request (KubeConfig's
 * applySecurityAuthentication), so each call paid a TCP connect, a TLS handshake and a new secure context with the CA
 * parsed again — 20–40 ms of this process's CPU a call, a page's dozen calls being most of its server time. The agent
 * it built is swapped for the shared one with the same TLS options (CA, client certificate and key, server name,
 * verification), so calls reuse connections; credentials that change (a rotated client certificate) make a new key,
 * and bearer tokens travel in headers, untouched. A proxy agent (a subclass) is left as it is.
 */
const AGENT_FIELDS = ["ca", "cert", "key", "pfx", "passphrase", "servername", "rejectUnauthorized"] as const;
const agents = new Map<string, https.Agent>();
function sharedAgent(agent: http.Agent | https.Agent | undefined): http.Agent | https.Agent | undefined {
  if (!agent || agent.constructor !== https.Agent) return agent;
  const options = (agent as https.Agent & { options: https.AgentOptions }).options;
  const key = JSON.stringify(AGENT_FIELDS.map((f) => String(options[f] ?? "")));
  let shared = agents.get(key);
  if (!shared) {
    if (agents.size >= 8) agents.clear(); // identities only change on rotation: a handful at most
    shared = new https.Agent({ ...Object.fromEntries(AGENT_FIELDS.map((f) => [f, options[f]])), keepAlive: true, maxSockets: 16 });
    agents.set(key, shared);
  }
  return shared;
}

function configuration(budget: Budget, strict?: Strict): k8s.Configuration {
  const kc = requireKube();
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw toKubeError(new Error("the kubeconfig has no current cluster"), "reading the kubeconfig");
  const ms = timeoutMs(budget);
  return k8s.createConfiguration({
    baseServer: new k8s.ServerConfiguration(cluster.server, {}),
    authMethods: { default: kc },
    promiseMiddleware: [
      {
        pre: async (ctx) => {
          ctx.setSignal(AbortSignal.timeout(ms));
          const agent = sharedAgent(ctx.getAgent());
          if (agent) ctx.setAgent(agent);
          if (strict && ctx.getHttpMethod() !== k8s.HttpMethod.GET) {
            ctx.setQueryParam("fieldValidation", "Strict");
            if (strict.body !== undefined) ctx.setBody(JSON.stringify(strict.body));
          }
          return ctx;
        },
        post: async (rsp) => {
          if (strict) for (const w of parseWarnings(rsp.headers["warning"])) strict.onWarning(w);
          return rsp;
        },
      },
    ],
  });
}

export const coreApi = (budget: Budget = "call") => new k8s.CoreV1Api(configuration(budget));
export const appsApi = (budget: Budget = "call") => new k8s.AppsV1Api(configuration(budget));
export const batchApi = (budget: Budget = "call") => new k8s.BatchV1Api(configuration(budget));
export const versionApi = (budget: Budget = "call") => new k8s.VersionApi(configuration(budget));

class ObjectApi extends k8s.KubernetesObjectApi {
  static build(budget: Budget, strict?: Strict): ObjectApi {
    const api = new ObjectApi(configuration(budget, strict));
    api.setDefaultNamespace(requireKube()); // as makeApiClient does: the context's namespace for objects without one
    return api;
  }
}
/** The object API; with `strict`, writes are fieldValidation=Strict with the exact body, warnings reported. */
export const objectApi = (budget: Budget = "call", strict?: Strict): k8s.KubernetesObjectApi => ObjectApi.build(budget, strict);

/** Run one door call: any failure (including building the client) becomes a KubeError saying `what`. */
export async function call<T>(what: string, budget: Budget, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toKubeError(err, what, timeoutMs(budget));
  }
}
