// Kubernetes API twin: a loopback HTTP server that @kubernetes/client-node cannot tell from kube-apiserver
// for the resources and behaviours dnsdeck uses. See twin/README.md, section "Kubernetes API twin".
import { randomBytes } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { Api } from "./api";
import { Cluster } from "./controllers";
import { Faults, type Fault } from "./faults";
import { seedBase, seedHomelab } from "./seed";
import { createKubeServer } from "./server";
import { trustTwinCa } from "./https-fetch";
import { twinTls } from "./tls";
import { Store } from "./store";
import { res } from "./resources";

export type { Fault } from "./faults";

export interface KubeTwinOptions {
  host?: string; // default 127.0.0.1
  port?: number; // 0 = random
  stateDir: string;
  speed?: number; // 1 = demo speed; tests use more
  seed?: boolean; // default true: the seed homelab
  /** CronJob schedule clock multiplier (default env TWIN_CRON_SPEED or 1). */
  cronSpeed?: number;
  /** Watch history kept for resourceVersion resumes (events); older → 410 Expired. Default 5000. */
  watchHistory?: number;
  /** Initial faults (in addition to env TWIN_FAULTS). */
  faults?: Fault[];
  /** The image of the seeded Technitium Deployments (default technitium/dns-server:15.2.0, the Technitium twin's default). */
  technitiumImage?: string;
  /** Fixed tokens (default: random). */
  token?: string;
  adminToken?: string;
}

export interface KubeTwin {
  /** https://host:port — served with a certificate signed by `ca`. */
  url: string;
  kubeconfigPath: string;
  /** PEM of the twin's CA (also `stateDir/ca.crt` and the kubeconfig's certificate-authority-data). */
  ca: string;
  token: string;
  adminToken: string;
  stop(): Promise<void>;
}

export async function startKubeTwin(opts: KubeTwinOptions): Promise<KubeTwin> {
  const host = opts.host ?? "127.0.0.1";
  const speed = opts.speed ?? 1;
  const token = opts.token ?? `twin-${randomBytes(16).toString("hex")}`;
  const adminToken = opts.adminToken ?? `twin-admin-${randomBytes(16).toString("hex")}`;
  const store = new Store(opts.watchHistory ?? 5000);
  const api = new Api(store);
  const faults = new Faults(process.env.TWIN_FAULTS);
  for (const f of opts.faults ?? []) faults.add(f);
  const cluster = new Cluster(api, faults, speed, opts.cronSpeed ?? Number(process.env.TWIN_CRON_SPEED ?? 1));

  seedBase(api);
  if (opts.seed !== false) seedHomelab(api, { technitiumImage: opts.technitiumImage });
  cluster.start();
  await warmup(cluster, api, speed);

  mkdirSync(opts.stateDir, { recursive: true });
  const tls = twinTls(opts.stateDir, host);
  trustTwinCa(tls.ca);
  const server: Server & { closeStreams?: () => void } = createKubeServer({
    tls: { cert: tls.cert, key: tls.key },
    api, faults, token, adminToken, logs: cluster, speed,
    admin: (p, method) => {
      if (p === "/_twin/info" && method === "GET") return { speed, resourceVersion: String(store.rv), compactedResourceVersion: String(store.compactedRv), faults: faults.list };
      return undefined;
    },
  });
  await new Promise<void>((resolve, reject) => { server.once("error", reject); server.listen(opts.port ?? 0, host, () => resolve()); });
  const port = (server.address() as AddressInfo).port;
  const url = `https://${host}:${port}`;
  const kubeconfigPath = path.join(opts.stateDir, "kubeconfig");
  writeFileSync(kubeconfigPath, kubeconfig(url, token, tls.ca), { mode: 0o600 });
  return {
    url, kubeconfigPath, token, adminToken, ca: tls.ca,
    async stop() {
      cluster.stop();
      server.closeStreams?.();
      await new Promise<void>((r) => { server.close(() => r()); server.closeAllConnections(); });
    },
  };
}

/** A kubeconfig as kubeadm writes one: the server's CA inline and a bearer token (kubectl sends it only over TLS). */
export function kubeconfig(url: string, token: string, caPem: string) {
  return `apiVersion: v1
kind: Config
clusters:
- name: homelab-twin
  cluster:
    server: ${url}
    certificate-authority-data: ${Buffer.from(caPem).toString("base64")}
users:
- name: dnsdeck
  user:
    token: ${token}
contexts:
- name: homelab-twin
  context:
    cluster: homelab-twin
    user: dnsdeck
    namespace: default
current-context: homelab-twin
preferences: {}
`;
}

/** Brings the seeded workloads to their steady state quickly (all pods Ready) before serving. */
async function warmup(cluster: Cluster, api: Api, speed: number) {
  (cluster as unknown as { speed: number }).speed = Math.max(speed, 400);
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    cluster.tick();
    const pods = api.store.list(res("pods"));
    const deps = api.store.list(res("deployments", "apps"));
    const settled = deps.every((d) => (d.status?.availableReplicas ?? 0) === d.spec.replicas && (d.status?.updatedReplicas ?? 0) === d.spec.replicas && (d.status?.replicas ?? 0) === d.spec.replicas)
      && pods.every((p) => p.status?.conditions?.some((c: { type: string; status: string }) => c.type === "Ready" && c.status === "True"));
    if (settled && deps.length >= 0 && pods.length >= 0 && Date.now() > 0) {
      cluster.tick();
      break;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  (cluster as unknown as { speed: number }).speed = speed;
}
