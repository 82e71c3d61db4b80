import "server-only";
import * as k8s from "@kubernetes/client-node";
import { type Budget, requireKube, timeoutMs } from "./config";
import { toKubeError } from "./error";

/**
 * The Kubernetes clients, private to server/kube: each is built with a middleware that aborts every request after
 * its budget (config.ts), and `call` turns whatever a call throws into a KubeError naming what was being done. The
 * rest of dnsdeck calls the typed functions of objects.ts, workloads.ts, jobs.ts and logs.ts, never these.
 */
function configuration(budget: Budget): k8s.Configuration {
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
          return ctx;
        },
        post: async (rsp) => rsp,
      },
    ],
  });
}

export const coreApi = (budget: Budget = "call") => new k8s.CoreV1Api(configuration(budget));
export const appsApi = (budget: Budget = "call") => new k8s.AppsV1Api(configuration(budget));
export const batchApi = (budget: Budget = "call") => new k8s.BatchV1Api(configuration(budget));
export const versionApi = (budget: Budget = "call") => new k8s.VersionApi(configuration(budget));

class ObjectApi extends k8s.KubernetesObjectApi {
  static build(budget: Budget): ObjectApi {
    const api = new ObjectApi(configuration(budget));
    api.setDefaultNamespace(requireKube()); // as makeApiClient does: the context's namespace for objects without one
    return api;
  }
}
export const objectApi = (budget: Budget = "call"): k8s.KubernetesObjectApi => ObjectApi.build(budget);

/** Run one door call: any failure (including building the client) becomes a KubeError saying `what`. */
export async function call<T>(what: string, budget: Budget, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toKubeError(err, what, timeoutMs(budget));
  }
}
