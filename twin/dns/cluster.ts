/**
 * What the DNS twin needs to know about the cluster: nodes, the CoreDNS / NodeLocal / Technitium pods (IP, node,
 * Ready), Services, and the two Corefiles. Read from the K8s twin (or a real API server) over HTTP with a bearer
 * token, or given statically (tests, or when no K8s twin runs).
 */
import { SEED_COREFILE } from "./corefile";
import { kubeFetch } from "../kube/https-fetch";

export type InstanceName = "primary" | "secondary" | "tertiary";

export interface PodInfo {
  name: string;
  ip?: string;
  node?: string;
  ready: boolean;
}

export interface ServiceInfo {
  name: string;
  namespace: string;
  clusterIP?: string;
  type?: string;
  loadBalancerIPs: string[];
  selector: Record<string, string>;
  ports: number[];
}

export interface ClusterSnapshot {
  nodes: string[];
  /** node name → InternalIP (NodeLocal and the kubelet's host network send from it) */
  nodeIPs?: Record<string, string>;
  coreDnsPods: PodInfo[];
  nodeLocalPods: PodInfo[];
  technitiumPods: (PodInfo & { instance: InstanceName; labels: Record<string, string> })[];
  services: ServiceInfo[];
  /** kube-system/coredns data.Corefile */
  corefile?: string;
  /** kube-system/node-local-dns data.Corefile */
  nodeLocalCorefile?: string;
}

export const NODES = ["k8s-master", "k8s-node1", "k8s-node2", "k8s-node3", "k8s-node4"];

/** The seed homelab without a K8s twin: 3 CoreDNS pods, no NodeLocal, the pinned Services. */
export function staticSnapshot(): ClusterSnapshot {
  return {
    nodes: [...NODES],
    nodeIPs: Object.fromEntries(NODES.map((n, i) => [n, `10.0.20.${100 + i}`])),
    coreDnsPods: [
      { name: "coredns-7db6d8ff4d-2xk9p", ip: "10.244.1.10", node: "k8s-node1", ready: true },
      { name: "coredns-7db6d8ff4d-8mqzt", ip: "10.244.2.10", node: "k8s-node2", ready: true },
      { name: "coredns-7db6d8ff4d-v4hnc", ip: "10.244.3.10", node: "k8s-node3", ready: true },
    ],
    nodeLocalPods: [],
    technitiumPods: [],
    services: [
      { name: "kube-dns", namespace: "kube-system", clusterIP: "10.96.0.10", type: "ClusterIP", loadBalancerIPs: [], selector: { "k8s-app": "kube-dns" }, ports: [53, 9153] },
      { name: "technitium-dns-internal", namespace: "technitium", clusterIP: "10.96.0.53", type: "ClusterIP", loadBalancerIPs: [], selector: { "dns-server": "true" }, ports: [53] },
      { name: "technitium-dns", namespace: "technitium", clusterIP: "10.104.17.201", type: "LoadBalancer", loadBalancerIPs: ["10.0.20.201"], selector: { "dns-server": "true" }, ports: [53] },
    ],
    corefile: SEED_COREFILE,
  };
}

interface K8sList<T> {
  items: T[];
}
interface K8sPod {
  metadata: { name: string; labels?: Record<string, string>; deletionTimestamp?: string };
  spec?: { nodeName?: string };
  status?: { podIP?: string; phase?: string; conditions?: { type: string; status: string }[] };
}
interface K8sService {
  metadata: { name: string; namespace: string };
  spec?: { clusterIP?: string; type?: string; selector?: Record<string, string>; ports?: { port: number }[]; loadBalancerIP?: string };
  status?: { loadBalancer?: { ingress?: { ip?: string }[] } };
}

function podInfo(p: K8sPod): PodInfo {
  const ready = !p.metadata.deletionTimestamp && p.status?.phase === "Running" && !!p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True");
  return { name: p.metadata.name, ip: p.status?.podIP, node: p.spec?.nodeName, ready };
}

export function instanceOf(labels: Record<string, string>, name: string): InstanceName | undefined {
  const app = labels.app ?? "";
  const key = app || name;
  if (/tertiary/.test(key)) return "tertiary";
  if (/secondary/.test(key)) return "secondary";
  if (/^technitium/.test(key)) return "primary";
  return undefined;
}

/** One read of everything the DNS twin needs, over the Kubernetes HTTP API. */
export async function fetchSnapshot(kubeUrl: string, token: string | undefined): Promise<ClusterSnapshot> {
  const base = kubeUrl.replace(/\/+$/, "");
  const get = async <T>(path: string): Promise<T | null> => {
    const res = await kubeFetch(base + path, { headers: { accept: "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) }, signal: AbortSignal.timeout(10_000) });
    if (res.status === 404) return null;
    if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status}`);
    return (await res.json()) as T;
  };
  const [nodes, ksPods, techPods, services, cm, nlCm] = await Promise.all([
    get<K8sList<{ metadata: { name: string }; status?: { addresses?: { type: string; address: string }[] } }>>("/api/v1/nodes"),
    get<K8sList<K8sPod>>("/api/v1/namespaces/kube-system/pods"),
    get<K8sList<K8sPod>>("/api/v1/namespaces/technitium/pods"),
    get<K8sList<K8sService>>("/api/v1/services"),
    get<{ data?: Record<string, string> }>("/api/v1/namespaces/kube-system/configmaps/coredns"),
    get<{ data?: Record<string, string> }>("/api/v1/namespaces/kube-system/configmaps/node-local-dns"),
  ]);
  const kp = ksPods?.items ?? [];
  return {
    nodes: (nodes?.items ?? []).map((n) => n.metadata.name),
    nodeIPs: Object.fromEntries((nodes?.items ?? []).flatMap((n) => { const ip = n.status?.addresses?.find((a) => a.type === "InternalIP")?.address; return ip ? [[n.metadata.name, ip]] : []; })),
    coreDnsPods: kp.filter((p) => p.metadata.labels?.["k8s-app"] === "kube-dns").map(podInfo),
    nodeLocalPods: kp.filter((p) => p.metadata.labels?.["k8s-app"] === "node-local-dns").map(podInfo),
    technitiumPods: (techPods?.items ?? []).flatMap((p) => {
      const labels = p.metadata.labels ?? {};
      const instance = instanceOf(labels, p.metadata.name);
      return instance ? [{ ...podInfo(p), instance, labels }] : [];
    }),
    services: (services?.items ?? []).map((s) => ({
      name: s.metadata.name,
      namespace: s.metadata.namespace,
      clusterIP: s.spec?.clusterIP,
      type: s.spec?.type,
      loadBalancerIPs: [...(s.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).filter((x): x is string => !!x), ...(s.spec?.loadBalancerIP ? [s.spec.loadBalancerIP] : [])],
      selector: s.spec?.selector ?? {},
      ports: (s.spec?.ports ?? []).map((p) => p.port),
    })),
    corefile: cm?.data?.Corefile,
    nodeLocalCorefile: nlCm?.data?.Corefile,
  };
}
