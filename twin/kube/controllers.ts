// The controllers and the kubelet of the twin: scheduler, kubelet (pod lifecycle, crash loops, logs),
// endpoints/endpointslices, DaemonSet, Deployment, ReplicaSet, Job, CronJob, garbage collector, namespaces,
// node lifecycle. Demo-speed timings are divided by `speed`.
import type { Api } from "./api";
import { checkCorefile } from "./corefile";
import { StatusError, badRequest } from "./errors";
import type { Faults } from "./faults";
import { corednsServing, flavorOf, jobLines, startupLines, type PodFlavor } from "./logs";
import { res } from "./resources";
import type { LogSource } from "./server";
import { matchSelectorObj, matchMapSelector } from "./selectors";
import { clone, deepEqual, intOrPercent, randSuffix, safeHash, ts, type Obj } from "./util";


const T = { schedule: 300, pull: 2000, ready: 3000, crashRun: 1500, backoffBase: 10000, backoffMax: 300000, jobRun: 4000, terminate: 2000, reload: 5000, jobRetry: 2000, schedRetry: 2000 };

type Line = { t: number; text: string };
interface CRuntime {
  name: string;
  state: "creating" | "pullbackoff" | "running" | "backoff" | "terminated";
  since: number;
  nextAt: number;
  restartCount: number;
  startedAt?: number;
  readyAt?: number;
  crashAt?: number;
  exit?: { code: number; reason: string; at: number; startedAt: number };
  lastTerminated?: { code: number; reason: string; at: number; startedAt: number };
  logs: Line[];
  prevLogs?: Line[];
  subs: Set<{ line: (l: Line) => void; end: () => void }>;
  pullFailures: number;
  config?: string; // Corefile text in use (coredns/node-cache)
  reloadCheckAt?: number;
  waitingReason?: string;
  waitingMessage?: string;
  crashLines?: string[];
}
interface PodRuntime { uid: string; env: Record<string, string>; containers: Map<string, CRuntime>; boundAt?: number; scheduleAt: number; lastSchedEvent?: number; ip?: string; deletingAt?: number; mountWarned?: boolean }

const NODE_INDEX: Record<string, number> = { "k8s-master": 0, "k8s-node1": 1, "k8s-node2": 2, "k8s-node3": 3, "k8s-node4": 4 };

export class Cluster implements LogSource {
  pods = new Map<string, PodRuntime>();
  private timer?: NodeJS.Timeout;
  private pending = false;
  private ipCounters = new Map<string, number>();
  private deployProgress = new Map<string, { key: string; at: number }>();
  private cronNext = new Map<string, number>();
  private cronCreated = new Set<string>();
  private unexpectedSeen = new Set<string>();
  private jobFailAt = new Map<string, number>();
  private startReal = Date.now();
  running = false;

  constructor(private api: Api, private faults: Faults, private speed = 1, private cronSpeed = 1) {
    api.onWrite = () => this.kick();
  }

  d(ms: number) { return ms / this.speed; }
  /** Virtual clock for CronJob schedules. */
  cronNow() { return this.startReal + (Date.now() - this.startReal) * this.cronSpeed; }

  start() {
    this.running = true;
    const iv = Math.max(40, Math.min(100, 1000 / this.speed));
    this.timer = setInterval(() => this.tick(), iv);
  }
  stop() {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    for (const p of this.pods.values()) for (const c of p.containers.values()) for (const s of c.subs) s.end();
  }
  kick() {
    if (this.pending || !this.running) return;
    this.pending = true;
    setImmediate(() => { this.pending = false; this.tick(); });
  }

  private ticking = false;
  tick() {
    if (this.ticking) return;
    this.ticking = true;
    try {
      const now = Date.now();
      this.nodes();
      this.namespaces();
      this.gc();
      this.pruneEvents(now);
      this.cronjobs();
      this.jobs(now);
      this.deployments(now);
      this.replicasets();
      this.daemonsets();
      this.scheduler(now);
      this.kubelet(now);
      this.endpoints();
      this.pdbs();
    } catch (e) {
      if (!(e instanceof StatusError)) console.error("[kube-twin] controller error", e);
    } finally {
      this.ticking = false;
    }
  }

  // ------------------------------------------------------------------------------------------------ events
  event(obj: Obj, type: "Normal" | "Warning", reason: string, message: string, component = "kube-controller-manager", action = reason) {
    const ns = obj.metadata.namespace ?? "default";
    const evR = res("events");
    const existing = this.api.store.list(evR, ns).find((e) => e.involvedObject?.uid === obj.metadata.uid && e.reason === reason && e.message === message);
    const now = ts();
    if (existing) {
      this.api.writeSpec(evR, existing, (e) => { e.count = (e.count ?? 1) + 1; e.lastTimestamp = now; }, component);
      const nev = this.api.tryGet(res("events", "events.k8s.io"), ns, existing.metadata.name);
      if (nev) this.api.writeSpec(res("events", "events.k8s.io"), nev, (e) => { e.deprecatedCount = (e.deprecatedCount ?? 1) + 1; e.deprecatedLastTimestamp = now; }, component);
      return;
    }
    const name = `${obj.metadata.name}.${Date.now().toString(16)}${randSuffix(3)}`;
    const involved = { kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name, uid: obj.metadata.uid, apiVersion: obj.apiVersion, resourceVersion: obj.metadata.resourceVersion };
    const host = component === "kubelet" ? obj.spec?.nodeName : undefined;
    try {
      this.api.create(evR, ns, {
        metadata: { name, namespace: ns }, involvedObject: involved, reason, message, source: { component, ...(host ? { host } : {}) },
        firstTimestamp: now, lastTimestamp: now, count: 1, type, eventTime: null, reportingComponent: component, reportingInstance: host ?? "",
      }, { fieldManager: component });
      this.api.create(res("events", "events.k8s.io"), ns, {
        metadata: { name, namespace: ns }, eventTime: new Date().toISOString().replace("Z", "000Z").replace(/(\.\d{6})\d*Z$/, "$1Z"), reportingController: component, reportingInstance: host ?? `${component}-k8s-master`,
        action, reason, regarding: involved, note: message, type, deprecatedSource: { component, ...(host ? { host } : {}) }, deprecatedFirstTimestamp: now, deprecatedLastTimestamp: now, deprecatedCount: 1,
      }, { fieldManager: component });
    } catch { /* namespace gone */ }
  }

  // ------------------------------------------------------------------------------------------------ nodes
  private nodes() {
    for (const n of this.api.store.list(res("nodes"))) {
      const notReady = this.faults.nodeNotReady(n.metadata.name);
      const ready = (n.status?.conditions ?? []).find((c: Obj) => c.type === "Ready");
      const want = notReady ? "Unknown" : "True";
      if (ready?.status !== want) {
        const conds = (n.status.conditions ?? []).map((c: Obj) => {
          if (notReady) return { ...c, status: "Unknown", reason: "NodeStatusUnknown", message: "Kubelet stopped posting node status.", lastTransitionTime: ts() };
          if (c.type === "Ready") return { ...c, status: "True", reason: "KubeletReady", message: "kubelet is posting ready status", lastHeartbeatTime: ts(), lastTransitionTime: ts() };
          return { ...c, status: "False", reason: c.type === "MemoryPressure" ? "KubeletHasSufficientMemory" : c.type === "DiskPressure" ? "KubeletHasNoDiskPressure" : "KubeletHasSufficientPID", lastTransitionTime: ts() };
        });
        this.api.writeStatus(res("nodes"), n, { ...n.status, conditions: conds }, notReady ? "kube-controller-manager" : "kubelet");
        this.api.writeSpec(res("nodes"), n, (o) => {
          const t = (o.spec.taints ?? []).filter((x: Obj) => x.key !== "node.kubernetes.io/unreachable");
          if (notReady) t.push({ key: "node.kubernetes.io/unreachable", effect: "NoSchedule", timeAdded: ts() });
          o.spec.taints = t.length ? t : undefined;
          if (!o.spec.taints) delete o.spec.taints;
        });
        this.event({ ...n, metadata: { ...n.metadata, namespace: "default" } }, "Normal", notReady ? "NodeNotReady" : "NodeReady", notReady ? `Node ${n.metadata.name} status is now: NodeNotReady` : `Node ${n.metadata.name} status is now: NodeReady`, notReady ? "node-controller" : "kubelet");
      }
    }
  }
  private nodeReady(name: string) { return !this.faults.nodeNotReady(name); }

  // ------------------------------------------------------------------------------------------------ namespaces + GC
  private namespaces() {
    for (const ns of this.api.store.list(res("namespaces"))) {
      if (ns.status?.phase !== "Terminating") continue;
      let left = 0;
      for (const r of nsResources()) for (const o of this.api.store.list(r, ns.metadata.name)) {
        left++;
        if (!o.metadata.deletionTimestamp) try { this.api.delete(r, ns.metadata.name, o.metadata.name, { propagationPolicy: "Background", gracePeriodSeconds: r.plural === "pods" ? 1 : undefined }); } catch { /* gone */ }
      }
      if (left === 0) this.api.remove(res("namespaces"), ns);
    }
  }

  /** Events expire like the apiserver's --event-ttl (1 h), and at most 3000 are kept per API. */
  private pruneEvents(now: number) {
    if (now - this.lastPrune < 1000) return;
    this.lastPrune = now;
    for (const r of [res("events"), res("events", "events.k8s.io")]) {
      const all = this.api.store.list(r);
      const stamp = (e: Obj) => Date.parse(e.lastTimestamp ?? e.deprecatedLastTimestamp ?? e.metadata.creationTimestamp);
      const old = all.filter((e) => now - stamp(e) > 3600_000);
      const extra = all.length - old.length - 3000;
      const victims = [...old, ...(extra > 0 ? all.filter((e) => !old.includes(e)).sort((a, b) => stamp(a) - stamp(b)).slice(0, extra) : [])];
      for (const e of victims) this.api.remove(r, e);
    }
  }
  private lastPrune = 0;

  private gc() {
    const uids = new Set<string>();
    for (const r of allResources()) for (const o of this.api.store.list(r)) uids.add(o.metadata.uid);
    for (const r of allResources()) {
      for (const o of this.api.store.list(r)) {
        const owners: Obj[] = o.metadata.ownerReferences ?? [];
        if (owners.length && owners.every((x) => !uids.has(x.uid)) && !o.metadata.deletionTimestamp) {
          try { this.api.delete(r, o.metadata.namespace, o.metadata.name, { propagationPolicy: "Background" }); } catch { /* gone */ }
        }
        if (o.metadata.deletionTimestamp && o.metadata.finalizers?.includes("foregroundDeletion")) {
          const deps = dependentsOf(this.api, o);
          if (deps.length === 0) this.api.remove(r, o);
          else for (const [dr, d] of deps) if (!d.metadata.deletionTimestamp) try { this.api.delete(dr, d.metadata.namespace, d.metadata.name, { propagationPolicy: "Foreground" }); } catch { /* gone */ }
        }
      }
    }
  }

  // ------------------------------------------------------------------------------------------------ pods: creation helper
  createPod(owner: Obj, template: Obj, extra: { name?: string; labels?: Record<string, string>; nodeName?: string; affinityNode?: string; tolerations?: Obj[]; generateName: string }) {
    const ns = owner.metadata.namespace;
    const spec = clone(template.spec ?? {});
    if (extra.affinityNode) {
      spec.affinity ??= {};
      spec.affinity.nodeAffinity = { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: [extra.affinityNode] }] }] } };
    }
    if (extra.tolerations) {
      spec.tolerations = [...(spec.tolerations ?? [])];
      for (const t of extra.tolerations) if (!spec.tolerations.some((x: Obj) => deepEqual(x, t))) spec.tolerations.push(t);
    }
    const body = {
      metadata: {
        generateName: extra.generateName,
        namespace: ns,
        labels: { ...(template.metadata?.labels ?? {}), ...(extra.labels ?? {}) },
        ...(template.metadata?.annotations ? { annotations: clone(template.metadata.annotations) } : {}),
        ownerReferences: [{ apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name, uid: owner.metadata.uid, controller: true, blockOwnerDeletion: true }],
      },
      spec,
    };
    const pod = this.api.create(res("pods"), ns, body, { fieldManager: "kube-controller-manager" });
    this.event(owner, "Normal", "SuccessfulCreate", owner.kind === "Job" || owner.kind === "DaemonSet" || owner.kind === "ReplicaSet" ? `Created pod: ${pod.metadata.name}` : `Created pod ${pod.metadata.name}`);
    return pod;
  }

  private ownedPods(owner: Obj): Obj[] {
    return this.api.store.list(res("pods"), owner.metadata.namespace).filter((p) => (p.metadata.ownerReferences ?? []).some((o: Obj) => o.uid === owner.metadata.uid && o.controller));
  }
  private podReady(p: Obj) { return (p.status?.conditions ?? []).some((c: Obj) => c.type === "Ready" && c.status === "True"); }
  private podActive(p: Obj) { return !p.metadata.deletionTimestamp && p.status?.phase !== "Succeeded" && p.status?.phase !== "Failed"; }

  // ------------------------------------------------------------------------------------------------ scheduler
  private tolerates(tols: Obj[] | undefined, taint: Obj) {
    return (tols ?? []).some((t) => {
      if (t.effect && t.effect !== taint.effect) return false;
      if (t.operator === "Exists") return !t.key || t.key === taint.key;
      return t.key === taint.key && (t.value ?? "") === (taint.value ?? "");
    });
  }
  private feasible(pod: Obj, node: Obj, all: Obj[]): string | null {
    if (node.spec?.unschedulable) return "node(s) were unschedulable";
    for (const t of node.spec?.taints ?? []) {
      if ((t.effect === "NoSchedule" || t.effect === "NoExecute") && !this.tolerates(pod.spec.tolerations, t)) return `node(s) had untolerated taint {${t.key}: ${t.value ?? ""}}`;
    }
    for (const [k, v] of Object.entries(pod.spec.nodeSelector ?? {})) if (node.metadata.labels?.[k] !== v) return "node(s) didn't match Pod's node affinity/selector";
    const terms = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
    if (terms && !terms.some((term: Obj) => (term.matchFields ?? []).every((f: Obj) => f.key !== "metadata.name" || (f.operator === "In" ? f.values.includes(node.metadata.name) : !f.values.includes(node.metadata.name)))
      && (term.matchExpressions ?? []).every((e: Obj) => e.operator === "In" ? e.values.includes(node.metadata.labels?.[e.key]) : e.operator === "NotIn" ? !e.values.includes(node.metadata.labels?.[e.key]) : e.operator === "Exists" ? node.metadata.labels?.[e.key] !== undefined : node.metadata.labels?.[e.key] === undefined)))
      return "node(s) didn't match Pod's node affinity/selector";
    for (const term of pod.spec.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []) {
      if (term.topologyKey !== "kubernetes.io/hostname") continue;
      const nss = term.namespaces?.length ? term.namespaces : [pod.metadata.namespace];
      if (all.some((o) => o !== pod && o.spec.nodeName === node.metadata.name && nss.includes(o.metadata.namespace) && o.status?.phase !== "Succeeded" && o.status?.phase !== "Failed" && matchSelectorObj(term.labelSelector ?? {}, o.metadata.labels)))
        return "node(s) didn't match pod anti-affinity rules";
    }
    return null;
  }
  private scheduler(now: number) {
    const nodes = this.api.store.list(res("nodes"));
    const all = this.api.store.list(res("pods"));
    for (const pod of all) {
      if (pod.spec.nodeName || pod.metadata.deletionTimestamp) continue;
      const rt = this.runtime(pod);
      if (now < rt.scheduleAt) continue;
      const reasons = new Map<string, number>();
      const ok: Obj[] = [];
      for (const n of nodes) {
        const why = this.feasible(pod, n, all);
        if (why) reasons.set(why, (reasons.get(why) ?? 0) + 1); else ok.push(n);
      }
      if (!ok.length) {
        const msg = `0/${nodes.length} nodes are available: ${[...reasons].map(([w, c]) => `${c} ${w}`).sort().join(", ")}. preemption: 0/${nodes.length} nodes are available: ${nodes.length} Preemption is not helpful for scheduling.`;
        const cond = { type: "PodScheduled", status: "False", lastProbeTime: null, lastTransitionTime: ts(), reason: "Unschedulable", message: msg };
        const existing = (pod.status.conditions ?? []).find((c: Obj) => c.type === "PodScheduled");
        if (!existing || existing.message !== msg) this.api.writeStatus(res("pods"), pod, { ...pod.status, phase: "Pending", conditions: [cond] }, "kube-scheduler");
        if (!rt.lastSchedEvent || now - rt.lastSchedEvent > this.d(30000)) { rt.lastSchedEvent = now; this.event(pod, "Warning", "FailedScheduling", msg, "default-scheduler"); }
        rt.scheduleAt = now + this.d(T.schedRetry);
        continue;
      }
      const load = (n: Obj) => all.filter((p) => p.spec.nodeName === n.metadata.name && this.podActive(p)).length;
      ok.sort((a, b) => load(a) - load(b) || a.metadata.name.localeCompare(b.metadata.name));
      const node = ok[0];
      const bound = this.api.writeSpec(res("pods"), pod, (o) => { o.spec.nodeName = node.metadata.name; }, "kube-scheduler");
      all[all.indexOf(pod)] = bound;
      rt.boundAt = now;
      this.event(bound, "Normal", "Scheduled", `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${node.metadata.name}`, "default-scheduler");
    }
  }

  // ------------------------------------------------------------------------------------------------ kubelet
  runtime(pod: Obj): PodRuntime {
    let rt = this.pods.get(pod.metadata.uid);
    if (!rt) {
      // kubelet-injected service env vars: Services of the pod's namespace that exist now (frozen at pod start)
      const env: Record<string, string> = {};
      if (pod.spec.enableServiceLinks !== false) for (const s of this.api.store.list(res("services"), pod.metadata.namespace)) {
        if (!s.spec?.clusterIP || s.spec.clusterIP === "None") continue;
        const n = s.metadata.name.toUpperCase().replace(/-/g, "_");
        env[`${n}_SERVICE_HOST`] = s.spec.clusterIP;
        if (s.spec.ports?.[0]) env[`${n}_SERVICE_PORT`] = String(s.spec.ports[0].port);
      }
      rt = { uid: pod.metadata.uid, env, containers: new Map(), scheduleAt: Date.now() + this.d(T.schedule) };
      this.pods.set(pod.metadata.uid, rt);
    }
    return rt;
  }

  private configFor(pod: Obj, c: Obj, flavor: PodFlavor): { text?: string; missing?: string; volume?: string } {
    if (flavor !== "node-cache" && flavor !== "coredns") return {};
    const mounts: Obj[] = c.volumeMounts ?? [];
    for (const v of pod.spec.volumes ?? []) {
      if (!v.configMap || !mounts.some((m) => m.name === v.name)) continue;
      const cm = this.api.tryGet(res("configmaps"), pod.metadata.namespace, v.configMap.name);
      if (!cm) { if (v.configMap.optional) continue; return { missing: v.configMap.name, volume: v.name }; }
      const key = v.configMap.items?.[0]?.key ?? "Corefile";
      if (cm.data?.[key] !== undefined) return { text: cm.data[key], volume: v.name };
    }
    return {};
  }

  private args(c: Obj): string[] { return [...(c.command ?? []), ...(c.args ?? [])].map(String); }
  private flag(c: Obj, name: string): string | undefined {
    const a = this.args(c);
    for (let i = 0; i < a.length; i++) {
      if (a[i] === `-${name}` || a[i] === `--${name}`) return a[i + 1];
      const m = new RegExp(`^--?${name}=(.*)$`).exec(a[i]);
      if (m) return m[1];
    }
    return undefined;
  }

  /** What happens when this container starts now: null = runs fine; else crash details. */
  private startOutcome(pod: Obj, c: Obj, flavor: PodFlavor, rt: PodRuntime, cfg: string | undefined): { crashLines: string[]; exitCode: number; runsFirst: boolean; config?: string; preLines?: string[] } | null {
    const ns = pod.metadata.namespace, name = pod.metadata.name;
    if (flavor === "node-cache" && cfg !== undefined) {
      const svc = this.flag(c, "upstreamsvc") ?? "kube-dns";
      const envName = `${svc.toUpperCase().replace(/-/g, "_")}_SERVICE_HOST`;
      const ip = rt.env[envName];
      const localIps = (this.flag(c, "localip") ?? "169.254.20.10").split(",").filter(Boolean);
      const pre: string[] = [];
      if (!ip) pre.push(`${stampNow()} [WARNING] Unable to find the IP of upstream service ${svc}: environment variable ${envName} is not set`);
      const text = cfg.replaceAll("__PILLAR__CLUSTER__DNS__", ip ?? "<nil>").replaceAll("__PILLAR__UPSTREAM__SERVERS__", "/etc/resolv.conf").replaceAll("__PILLAR__LOCAL__DNS__", localIps.join(" ")).replaceAll("__PILLAR__DNS__SERVER__", "");
      const chk = checkCorefile(text, { file: "/etc/Corefile", env: { ...rt.env, ...envOf(c) } });
      if (!chk.ok) return { crashLines: [chk.error!.startsWith("/") ? chk.error! : `[FATAL] ${chk.error}`], exitCode: 1, runsFirst: false, config: cfg, preLines: pre };
      if (chk.fatal) return { crashLines: [chk.fatal], exitCode: 1, runsFirst: true, config: cfg, preLines: pre };
    }
    if (flavor === "coredns" && cfg !== undefined) {
      const chk = checkCorefile(cfg, { file: "/etc/coredns/Corefile", env: { ...rt.env, ...envOf(c) } });
      if (!chk.ok) return { crashLines: [chk.error!.startsWith("/") ? chk.error! : `[FATAL] ${chk.error}`], exitCode: 1, runsFirst: false, config: cfg };
      if (chk.fatal) return { crashLines: [chk.fatal], exitCode: 1, runsFirst: true, config: cfg };
    }
    if (flavor !== "job" && this.faults.podFails(ns, name)) return { crashLines: [`${new Date().toISOString()} fatal error: injected failure (twin fault podFail)`], exitCode: 1, runsFirst: true };
    return null;
  }

  private push(cr: CRuntime, text: string, t = Date.now()) {
    const l = { t, text };
    cr.logs.push(l);
    if (cr.logs.length > 5000) cr.logs.splice(0, cr.logs.length - 5000);
    for (const s of cr.subs) s.line(l);
  }
  private endFollow(cr: CRuntime) { for (const s of cr.subs) s.end(); cr.subs.clear(); }

  private kubelet(now: number) {
    for (const pod of this.api.store.list(res("pods"))) {
      const node = pod.spec.nodeName;
      if (!node) continue;
      const rt = this.runtime(pod);
      const nodeOk = this.nodeReady(node);
      // termination
      if (pod.metadata.deletionTimestamp) {
        if (!nodeOk) continue; // an unreachable node never confirms deletion
        rt.deletingAt ??= now;
        const grace = Math.min((pod.metadata.deletionGracePeriodSeconds ?? 30) * 1000, T.terminate);
        if (now - rt.deletingAt >= this.d(grace)) {
          for (const cr of rt.containers.values()) this.endFollow(cr);
          this.pods.delete(pod.metadata.uid);
          this.api.remove(res("pods"), pod);
        } else if (rt.deletingAt === now) for (const c of pod.spec.containers) this.event(pod, "Normal", "Killing", `Stopping container ${c.name}`, "kubelet");
        continue;
      }
      if (pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed") continue;
      rt.boundAt ??= now;
      if (!rt.ip) rt.ip = pod.spec.hostNetwork ? nodeIP(node) : this.allocIP(node);
      if (!nodeOk) { this.writePodStatus(pod, rt, nodeOk); continue; }
      for (const c of pod.spec.containers as Obj[]) {
        let cr = rt.containers.get(c.name);
        const flavor = flavorOf(pod, c);
        if (!cr) {
          cr = { name: c.name, state: "creating", since: now, nextAt: now + this.d(T.pull * (0.6 + Math.random() * 0.8)), restartCount: 0, logs: [], subs: new Set(), pullFailures: 0 };
          rt.containers.set(c.name, cr);
          this.event(pod, "Normal", "Pulling", `Pulling image "${c.image}"`, "kubelet");
        }
        if (now < cr.nextAt) continue;
        switch (cr.state) {
          case "creating": case "pullbackoff": {
            const cfg = this.configFor(pod, c, flavor);
            if (cfg.missing) {
              if (!rt.mountWarned) { rt.mountWarned = true; this.event(pod, "Warning", "FailedMount", `MountVolume.SetUp failed for volume "${cfg.volume}" : configmap "${cfg.missing}" not found`, "kubelet"); }
              cr.waitingReason = "ContainerCreating"; cr.nextAt = now + this.d(T.pull);
              break;
            }
            if (this.faults.imageNeverPulls(c.image)) {
              cr.pullFailures++;
              cr.state = "pullbackoff";
              const first = cr.pullFailures === 1;
              cr.waitingReason = first ? "ErrImagePull" : "ImagePullBackOff";
              cr.waitingMessage = first ? `failed to pull and unpack image "${c.image}": failed to resolve reference "${c.image}": not found` : `Back-off pulling image "${c.image}"`;
              if (first) this.event(pod, "Warning", "Failed", `Failed to pull image "${c.image}": rpc error: code = NotFound desc = failed to pull and unpack image "${c.image}": failed to resolve reference "${c.image}": ${c.image}: not found`, "kubelet");
              this.event(pod, "Normal", "BackOff", `Back-off pulling image "${c.image}"`, "kubelet");
              cr.nextAt = now + this.d(Math.min(T.backoffBase * 2 ** (cr.pullFailures - 1), T.backoffMax));
              break;
            }
            if (cr.state === "creating" || cr.pullFailures) this.event(pod, "Normal", "Pulled", `Successfully pulled image "${c.image}" in 1.2s (1.2s including waiting). Image size: 31337405 bytes.`, "kubelet");
            this.startContainer(pod, c, cr, rt, flavor, cfg.text, now);
            break;
          }
          case "backoff": {
            const cfg = this.configFor(pod, c, flavor);
            this.startContainer(pod, c, cr, rt, flavor, cfg.text, now);
            break;
          }
          case "running": {
            if (cr.crashAt && now >= cr.crashAt) { this.crash(pod, c, cr, now); break; }
            if (flavor === "job" && cr.exit === undefined && cr.startedAt && now - cr.startedAt >= this.d(T.jobRun)) {
              this.finishJobContainer(pod, c, cr, now);
              break;
            }
            // ConfigMap reload (the reload plugin) for CoreDNS/node-cache
            if ((flavor === "coredns" || flavor === "node-cache") && (cr.reloadCheckAt ?? 0) <= now) {
              cr.reloadCheckAt = now + this.d(T.reload);
              const cfg = this.configFor(pod, c, flavor);
              if (cfg.text !== undefined && cr.config !== undefined && cfg.text !== cr.config) this.reload(pod, c, cr, rt, flavor, cfg.text, now);
            }
            cr.nextAt = Math.min(cr.crashAt ?? Infinity, cr.reloadCheckAt ?? Infinity, cr.readyAt && cr.readyAt > now ? cr.readyAt : Infinity, flavor === "job" && cr.startedAt ? cr.startedAt + this.d(T.jobRun) : Infinity);
            if (!Number.isFinite(cr.nextAt)) cr.nextAt = now + this.d(1000);
            break;
          }
        }
      }
      this.writePodStatus(pod, rt, nodeOk);
    }
    // forget runtimes of pods that are gone
    for (const [uid, rt] of this.pods) if (!this.api.store.list(res("pods")).some((p) => p.metadata.uid === uid)) { for (const cr of rt.containers.values()) this.endFollow(cr); this.pods.delete(uid); }
  }

  private startContainer(pod: Obj, c: Obj, cr: CRuntime, rt: PodRuntime, flavor: PodFlavor, cfg: string | undefined, now: number) {
    if (cr.state === "backoff" || cr.lastTerminated) { cr.prevLogs = [...cr.logs]; cr.logs = []; }
    const outcome = this.startOutcome(pod, c, flavor, rt, cfg);
    const localIps = (this.flag(c, "localip") ?? "169.254.20.10").split(",").filter(Boolean);
    cr.state = "running";
    cr.startedAt = now;
    cr.waitingReason = undefined; cr.waitingMessage = undefined;
    cr.config = cfg;
    cr.exit = undefined;
    cr.reloadCheckAt = now + this.d(T.reload);
    this.event(pod, "Normal", cr.restartCount ? "Started" : "Created", cr.restartCount ? `Started container ${c.name}` : `Created container ${c.name}`, "kubelet");
    if (!cr.restartCount) this.event(pod, "Normal", "Started", `Started container ${c.name}`, "kubelet");
    const corefile = flavor === "node-cache" && cfg ? cfg.replaceAll("__PILLAR__CLUSTER__DNS__", rt.env[`${(this.flag(c, "upstreamsvc") ?? "kube-dns").toUpperCase().replace(/-/g, "_")}_SERVICE_HOST`] ?? "<nil>").replaceAll("__PILLAR__UPSTREAM__SERVERS__", "/etc/resolv.conf").replaceAll("__PILLAR__LOCAL__DNS__", localIps.join(" ")).replaceAll("__PILLAR__DNS__SERVER__", "") : cfg;
    for (const l of outcome?.preLines ?? []) this.push(cr, l, now);
    if (flavor === "job") {
      const owner = pod.metadata.ownerReferences?.find((o: Obj) => o.kind === "Job")?.name ?? pod.metadata.name;
      const job = this.api.tryGet(res("jobs", "batch"), pod.metadata.namespace, owner);
      const cron = job?.metadata.ownerReferences?.find((o: Obj) => o.kind === "CronJob")?.name ?? owner;
      const fail = this.args(c).join(" ").includes("fail") || this.faults.podFails(pod.metadata.namespace, pod.metadata.name);
      (cr as CRuntime & { jobFail?: boolean }).jobFail = fail;
      const lines = jobLines(cron, now, fail);
      lines.forEach((l, i) => setTimeout(() => { if (cr.state === "running") this.push(cr, l); }, this.d((i * T.jobRun) / (lines.length + 1))));
    } else {
      for (const l of startupLines(flavor, now, { corefile, image: c.image, localIps, podName: pod.metadata.name })) this.push(cr, l, now);
    }
    if (outcome && !outcome.runsFirst) {
      for (const l of outcome.crashLines) this.push(cr, l, now);
      cr.crashAt = now + this.d(300);
      cr.nextAt = cr.crashAt;
      return;
    }
    if (flavor === "coredns" || flavor === "node-cache") for (const l of corednsServing(corefile ?? "", flavor, localIps)) this.push(cr, l, now);
    if (outcome?.runsFirst) {
      cr.crashAt = now + this.d(T.crashRun);
      cr.crashLines = outcome.crashLines;
    } else cr.crashAt = undefined;
    const hasReadiness = !!c.readinessProbe;
    cr.readyAt = hasReadiness ? now + this.d(T.ready + (c.readinessProbe.initialDelaySeconds ?? 0) * 100) : now;
    cr.nextAt = Math.min(cr.crashAt ?? Infinity, cr.readyAt > now ? cr.readyAt : Infinity, now + this.d(flavor === "job" ? T.jobRun : T.reload));
  }

  private crash(pod: Obj, c: Obj, cr: CRuntime, now: number) {
    for (const l of cr.crashLines ?? []) this.push(cr, l, now);
    cr.crashLines = undefined;
    cr.lastTerminated = { code: 1, reason: "Error", at: now, startedAt: cr.startedAt ?? now };
    cr.prevLogs = [...cr.logs]; // `logs --previous` during back-off shows the crashed instance
    cr.restartCount++;
    const backoff = Math.min(T.backoffBase * 2 ** (cr.restartCount - 1), T.backoffMax);
    cr.state = "backoff";
    cr.crashAt = undefined;
    cr.readyAt = undefined;
    cr.waitingReason = "CrashLoopBackOff";
    cr.waitingMessage = `back-off ${fmtDur(backoff)} restarting failed container=${c.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
    cr.nextAt = now + this.d(backoff);
    this.endFollow(cr);
    this.event(pod, "Warning", "BackOff", `Back-off restarting failed container ${c.name} in pod ${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`, "kubelet");
  }

  private finishJobContainer(pod: Obj, c: Obj, cr: CRuntime, now: number) {
    const fail = (cr as CRuntime & { jobFail?: boolean }).jobFail || this.faults.podFails(pod.metadata.namespace, pod.metadata.name);
    cr.exit = { code: fail ? 1 : 0, reason: fail ? "Error" : "Completed", at: now, startedAt: cr.startedAt ?? now };
    cr.state = "terminated";
    cr.readyAt = undefined;
    this.endFollow(cr);
  }

  private reload(pod: Obj, c: Obj, cr: CRuntime, rt: PodRuntime, flavor: PodFlavor, text: string, now: number) {
    const file = flavor === "node-cache" ? "/etc/Corefile" : "/etc/coredns/Corefile";
    let eff = text;
    if (flavor === "node-cache") {
      const ip = rt.env[`${(this.flag(c, "upstreamsvc") ?? "kube-dns").toUpperCase().replace(/-/g, "_")}_SERVICE_HOST`];
      eff = text.replaceAll("__PILLAR__CLUSTER__DNS__", ip ?? "<nil>").replaceAll("__PILLAR__UPSTREAM__SERVERS__", "/etc/resolv.conf").replaceAll("__PILLAR__LOCAL__DNS__", (this.flag(c, "localip") ?? "169.254.20.10").split(",").join(" ")).replaceAll("__PILLAR__DNS__SERVER__", "");
      this.push(cr, `${stampNow()} [INFO] Updated Corefile with 0 custom stubdomains and upstream servers /etc/resolv.conf`, now);
    }
    const chk = checkCorefile(eff, { file, env: { ...rt.env, ...envOf(c) } });
    if (!chk.ok) {
      if (chk.error!.includes("Error during parsing")) this.push(cr, `[ERROR] Restart failed: ${chk.error}`, now);
      else this.push(cr, `[ERROR] Corefile changed but reload failed: ${chk.error}`, now);
      cr.config = text; // the bad file is latent: it bites on the next start
      return;
    }
    this.push(cr, "[INFO] Reloading", now);
    cr.config = text;
    if (chk.fatal) {
      cr.crashLines = [chk.fatal];
      cr.crashAt = now + this.d(500);
      return;
    }
    this.push(cr, `[INFO] plugin/reload: Running configuration SHA512 = ${safeHash(text, 32)}${safeHash(text + "x", 32)}`, now);
    this.push(cr, "[INFO] Reloading complete", now);
  }

  private allocIP(node: string) {
    const n = (this.ipCounters.get(node) ?? 1) + 1;
    this.ipCounters.set(node, n > 250 ? 2 : n);
    return `10.244.${NODE_INDEX[node] ?? 9}.${n}`;
  }

  private writePodStatus(pod: Obj, rt: PodRuntime, nodeOk: boolean) {
    const prev = pod.status ?? {};
    const cond = (type: string): Obj | undefined => (prev.conditions ?? []).find((c: Obj) => c.type === type);
    const mk = (type: string, status: boolean, reason?: string, message?: string) => {
      const old = cond(type);
      const s = status ? "True" : "False";
      return { type, status: s, lastProbeTime: null, lastTransitionTime: old && old.status === s ? old.lastTransitionTime : ts(), ...(reason ? { reason } : {}), ...(message ? { message } : {}) };
    };
    const now = Date.now();
    const statuses = (pod.spec.containers as Obj[]).map((c) => {
      const cr = rt.containers.get(c.name);
      const ready = !!cr && cr.state === "running" && nodeOk && cr.readyAt !== undefined && cr.readyAt <= now;
      const base: Obj = { name: c.name, image: c.image, imageID: cr && cr.state !== "creating" && cr.state !== "pullbackoff" ? `${c.image.split(":")[0]}@sha256:${safeHash(c.image, 64).replace(/[^a-f0-9]/g, "a")}` : "", ready, restartCount: cr?.restartCount ?? 0, started: cr?.state === "running" };
      if (cr && cr.state !== "creating" && cr.state !== "pullbackoff") base.containerID = `containerd://${safeHash(rt.uid + c.name + cr.restartCount, 64)}`;
      if (!cr || cr.state === "creating" || cr.state === "pullbackoff") base.state = { waiting: { reason: cr?.waitingReason ?? "ContainerCreating", ...(cr?.waitingMessage ? { message: cr.waitingMessage } : {}) } };
      else if (cr.state === "running") base.state = { running: { startedAt: ts(cr.startedAt) } };
      else if (cr.state === "backoff") base.state = { waiting: { reason: "CrashLoopBackOff", message: cr.waitingMessage } };
      else if (cr.state === "terminated" && cr.exit) base.state = { terminated: { exitCode: cr.exit.code, reason: cr.exit.reason, startedAt: ts(cr.exit.startedAt), finishedAt: ts(cr.exit.at), containerID: base.containerID } };
      base.lastState = cr?.lastTerminated ? { terminated: { exitCode: cr.lastTerminated.code, reason: cr.lastTerminated.reason, startedAt: ts(cr.lastTerminated.startedAt), finishedAt: ts(cr.lastTerminated.at), containerID: `containerd://${safeHash(rt.uid + c.name + (cr.restartCount - 1), 64)}` } } : {};
      base.volumeMounts = (c.volumeMounts ?? []).map((m: Obj) => ({ name: m.name, mountPath: m.mountPath, ...(m.readOnly ? { readOnly: true } : {}), recursiveReadOnly: "Disabled" }));
      return base;
    });
    const allReady = statuses.every((s) => s.ready);
    const terminated = statuses.every((s) => s.state.terminated);
    let phase = "Pending";
    if (terminated) phase = statuses.every((s) => s.state.terminated.exitCode === 0) ? "Succeeded" : "Failed";
    else if (statuses.some((s) => s.state.running || s.lastState.terminated)) phase = "Running";
    const notReady = statuses.filter((s) => !s.ready).map((s) => s.name);
    const started = statuses.some((s) => s.containerID);
    const conditions = [
      mk("PodReadyToStartContainers", started || phase !== "Pending"),
      mk("Initialized", true),
      terminated ? mk("Ready", false, "PodCompleted") : mk("Ready", allReady && nodeOk, allReady && nodeOk ? undefined : "ContainersNotReady", allReady && nodeOk ? undefined : `containers with unready status: [${notReady.join(" ")}]`),
      terminated ? mk("ContainersReady", false, "PodCompleted") : mk("ContainersReady", allReady, allReady ? undefined : "ContainersNotReady", allReady ? undefined : `containers with unready status: [${notReady.join(" ")}]`),
      mk("PodScheduled", true),
    ];
    const hostIP = nodeIP(pod.spec.nodeName);
    const status: Obj = {
      phase, conditions, hostIP, hostIPs: [{ ip: hostIP }],
      ...(started || phase !== "Pending" ? { podIP: rt.ip, podIPs: [{ ip: rt.ip }] } : {}),
      startTime: prev.startTime ?? ts(rt.boundAt), containerStatuses: statuses, qosClass: prev.qosClass ?? "Burstable",
    };
    // keep lastTransitionTime stable when nothing else changed
    if (!deepEqual(stripTimes(prev), stripTimes(status))) this.api.writeStatus(res("pods"), pod, status, "kubelet");
  }

  // ------------------------------------------------------------------------------------------------ logs (LogSource)
  logLines(ns: string, podName: string, container: string | undefined, previous: boolean) {
    const pod = this.api.tryGet(res("pods"), ns, podName)!;
    const names = (pod.spec.containers as Obj[]).map((c) => c.name);
    if (!container) {
      if (names.length !== 1) throw badRequest(`a container name must be specified for pod ${podName}, choose one of: [${names.join(" ")}]`);
      container = names[0];
    }
    if (!names.includes(container)) throw badRequest(`container ${container} is not valid for pod ${podName}`);
    const rt = this.pods.get(pod.metadata.uid);
    const cr = rt?.containers.get(container!);
    if (previous) {
      if (!cr?.prevLogs) throw badRequest(`previous terminated container "${container}" in pod "${podName}" not found`);
      return { lines: cr.prevLogs };
    }
    if (!cr || cr.state === "creating" || cr.state === "pullbackoff") throw badRequest(`container "${container}" in pod "${podName}" is waiting to start: ${cr?.waitingReason ?? "ContainerCreating"}`);
    return {
      lines: [...cr.logs],
      follow: cr.state === "running" ? (line: (l: Line) => void, end: () => void) => {
        const s = { line, end };
        cr.subs.add(s);
        return () => cr.subs.delete(s);
      } : undefined,
    };
  }

  // ------------------------------------------------------------------------------------------------ endpoints
  private endpoints() {
    const pods = this.api.store.list(res("pods"));
    for (const svc of this.api.store.list(res("services"))) {
      const ns = svc.metadata.namespace;
      if (!svc.spec?.selector || Object.keys(svc.spec.selector).length === 0) continue;
      const sel = pods.filter((p) => p.metadata.namespace === ns && matchMapSelector(svc.spec.selector, p.metadata.labels) && p.status?.podIP && p.status.phase !== "Succeeded" && p.status.phase !== "Failed");
      const ref = (p: Obj) => ({ kind: "Pod", namespace: ns, name: p.metadata.name, uid: p.metadata.uid });
      const ready = sel.filter((p) => this.podReady(p) && !p.metadata.deletionTimestamp);
      const notReady = sel.filter((p) => !ready.includes(p));
      const portOf = (sp: Obj) => (typeof sp.targetPort === "number" ? sp.targetPort : Number(sp.targetPort) || sp.port);
      const ports = (svc.spec.ports ?? []).map((sp: Obj) => ({ ...(sp.name ? { name: sp.name } : {}), port: portOf(sp), protocol: sp.protocol ?? "TCP" }));
      const subsets = sel.length ? [{
        ...(ready.length ? { addresses: ready.map((p) => ({ ip: p.status.podIP, nodeName: p.spec.nodeName, targetRef: ref(p) })) } : {}),
        ...(notReady.length ? { notReadyAddresses: notReady.map((p) => ({ ip: p.status.podIP, nodeName: p.spec.nodeName, targetRef: ref(p) })) } : {}),
        ports,
      }] : undefined;
      const epR = res("endpoints");
      const ep = this.api.tryGet(epR, ns, svc.metadata.name);
      const labels = { ...(svc.metadata.labels ?? {}), "endpoints.kubernetes.io/managed-by": "endpoint-controller" };
      if (!ep) this.api.create(epR, ns, { metadata: { name: svc.metadata.name, labels }, ...(subsets ? { subsets } : {}) }, { fieldManager: "kube-controller-manager" });
      else if (!deepEqual(ep.subsets, subsets)) this.api.writeSpec(epR, ep, (o) => { if (subsets) o.subsets = subsets; else delete o.subsets; });
      const slR = res("endpointslices", "discovery.k8s.io");
      const slices = this.api.store.list(slR, ns).filter((s) => s.metadata.labels?.["kubernetes.io/service-name"] === svc.metadata.name);
      const endpoints = sel.map((p) => ({
        addresses: [p.status.podIP],
        conditions: { ready: ready.includes(p), serving: this.podReady(p), terminating: !!p.metadata.deletionTimestamp },
        nodeName: p.spec.nodeName, targetRef: ref(p),
      }));
      const body = { addressType: "IPv4", endpoints, ports };
      if (!slices.length) {
        this.api.create(slR, ns, {
          metadata: {
            generateName: `${svc.metadata.name}-`,
            labels: { ...(svc.metadata.labels ?? {}), "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io", "kubernetes.io/service-name": svc.metadata.name },
            ownerReferences: [{ apiVersion: "v1", kind: "Service", name: svc.metadata.name, uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true }],
          },
          ...body,
        }, { fieldManager: "kube-controller-manager" });
      } else if (!deepEqual({ addressType: slices[0].addressType, endpoints: slices[0].endpoints, ports: slices[0].ports }, body)) {
        this.api.writeSpec(slR, slices[0], (o) => { o.endpoints = endpoints; o.ports = ports; });
      }
    }
    for (const ep of this.api.store.list(res("endpoints"))) {
      if (ep.metadata.labels?.["endpoints.kubernetes.io/managed-by"] !== "endpoint-controller") continue;
      if (!this.api.tryGet(res("services"), ep.metadata.namespace, ep.metadata.name)) this.api.remove(res("endpoints"), ep);
    }
  }

  private pdbs() {
    const r = res("poddisruptionbudgets", "policy");
    for (const pdb of this.api.store.list(r)) {
      const pods = this.api.store.list(res("pods"), pdb.metadata.namespace).filter((p) => this.podActive(p) && matchSelectorObj(pdb.spec?.selector ?? {}, p.metadata.labels));
      const expected = pods.length;
      const healthy = pods.filter((p) => this.podReady(p)).length;
      const desired = pdb.spec?.minAvailable !== undefined ? intOrPercent(pdb.spec.minAvailable, expected, true, 0) : Math.max(0, expected - intOrPercent(pdb.spec?.maxUnavailable, expected, true, 0));
      const allowed = Math.max(0, healthy - desired);
      const old = (pdb.status?.conditions ?? [])[0];
      const cs = allowed > 0 ? "True" : "False";
      const st = {
        observedGeneration: pdb.metadata.generation, disruptionsAllowed: allowed, currentHealthy: healthy, desiredHealthy: desired, expectedPods: expected,
        conditions: [{ type: "DisruptionAllowed", status: cs, reason: allowed > 0 ? "SufficientPods" : "InsufficientPods", message: "", observedGeneration: pdb.metadata.generation, lastTransitionTime: old && old.status === cs ? old.lastTransitionTime : ts() }],
      };
      this.api.writeStatus(r, pdb, st);
    }
  }

  // ------------------------------------------------------------------------------------------------ DaemonSets
  private dsTolerations(ds: Obj): Obj[] {
    const t: Obj[] = [
      { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute" },
      { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute" },
      { key: "node.kubernetes.io/disk-pressure", operator: "Exists", effect: "NoSchedule" },
      { key: "node.kubernetes.io/memory-pressure", operator: "Exists", effect: "NoSchedule" },
      { key: "node.kubernetes.io/pid-pressure", operator: "Exists", effect: "NoSchedule" },
      { key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" },
    ];
    if (ds.spec.template.spec.hostNetwork) t.push({ key: "node.kubernetes.io/network-unavailable", operator: "Exists", effect: "NoSchedule" });
    return t;
  }
  private dsEligible(ds: Obj, node: Obj): boolean {
    const tols = [...(ds.spec.template.spec.tolerations ?? []), ...this.dsTolerations(ds)];
    for (const t of node.spec?.taints ?? []) {
      if (t.key === "node.kubernetes.io/unreachable") continue; // DaemonSet pods tolerate it
      if ((t.effect === "NoSchedule" || t.effect === "NoExecute") && !this.tolerates(tols, t)) return false;
    }
    for (const [k, v] of Object.entries(ds.spec.template.spec.nodeSelector ?? {})) if (node.metadata.labels?.[k] !== v) return false;
    return true;
  }
  private revisionFor(owner: Obj, template: Obj): { name: string; hash: string } {
    const hash = safeHash({ template, collision: owner.status?.collisionCount ?? 0 }, 10);
    return { name: `${owner.metadata.name}-${hash}`, hash };
  }
  private daemonsets() {
    const crR = res("controllerrevisions", "apps");
    const nodes = this.api.store.list(res("nodes"));
    for (let ds of this.api.store.list(res("daemonsets", "apps"))) {
      if (ds.metadata.deletionTimestamp) continue;
      const ns = ds.metadata.namespace;
      const { name: crName, hash } = this.revisionFor(ds, ds.spec.template);
      const revs = this.api.store.list(crR, ns).filter((c) => c.metadata.ownerReferences?.some((o: Obj) => o.uid === ds.metadata.uid));
      const maxRev = Math.max(0, ...revs.map((r) => r.revision));
      const cur = revs.find((r) => r.metadata.name === crName);
      if (!cur) {
        this.api.create(crR, ns, {
          metadata: { name: crName, labels: { ...(ds.spec.selector.matchLabels ?? {}), "controller-revision-hash": hash }, ownerReferences: [ownerRef(ds)] },
          data: { spec: { template: { ...clone(ds.spec.template), $patch: "replace" } } }, revision: maxRev + 1,
        }, { fieldManager: "kube-controller-manager" });
      } else if (cur.revision !== maxRev) this.api.writeSpec(crR, cur, (o) => { o.revision = maxRev + 1; });
      // history limit
      const pods = this.ownedPods(ds);
      const liveHashes = new Set(pods.map((p) => p.metadata.labels?.["controller-revision-hash"]));
      const old = revs.filter((r) => r.metadata.name !== crName && !liveHashes.has(r.metadata.labels?.["controller-revision-hash"])).sort((a, b) => a.revision - b.revision);
      while (old.length > (ds.spec.revisionHistoryLimit ?? 10)) this.api.remove(crR, old.shift()!);

      const eligible = nodes.filter((n) => this.dsEligible(ds, n));
      const byNode = new Map<string, Obj[]>();
      for (const p of pods) {
        const n = p.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms?.[0]?.matchFields?.[0]?.values?.[0] ?? p.spec.nodeName;
        if (!byNode.has(n)) byNode.set(n, []);
        byNode.get(n)!.push(p);
      }
      const isUpdated = (p: Obj) => p.metadata.labels?.["controller-revision-hash"] === hash;
      const available = (p: Obj) => this.podReady(p) && !p.metadata.deletionTimestamp;
      const desired = eligible.length;
      const maxUnavail = ds.spec.updateStrategy?.type === "RollingUpdate" ? Math.max(1, intOrPercent(ds.spec.updateStrategy.rollingUpdate?.maxUnavailable, desired, true, 1)) : 0;
      let unavailable = eligible.filter((n) => !(byNode.get(n.metadata.name) ?? []).some(available)).length;
      for (const n of eligible) {
        const ps = (byNode.get(n.metadata.name) ?? []).filter((p) => !p.metadata.deletionTimestamp);
        // failed pods are replaced
        for (const p of ps) if (p.status?.phase === "Failed") { this.api.delete(res("pods"), ns, p.metadata.name, { gracePeriodSeconds: 0 }); }
        const live = ps.filter((p) => p.status?.phase !== "Failed");
        const terminating = (byNode.get(n.metadata.name) ?? []).some((p) => p.metadata.deletionTimestamp);
        if (!live.length) {
          if (!terminating) this.createPod(ds, ds.spec.template, { generateName: `${ds.metadata.name}-`, labels: { "controller-revision-hash": hash, "pod-template-generation": String(ds.metadata.generation) }, affinityNode: n.metadata.name, tolerations: this.dsTolerations(ds) });
          continue;
        }
        if (ds.spec.updateStrategy?.type !== "RollingUpdate") continue;
        const oldPods = live.filter((p) => !isUpdated(p));
        for (const p of oldPods) {
          if (!available(p)) { this.api.delete(res("pods"), ns, p.metadata.name, {}); this.event(ds, "Normal", "SuccessfulDelete", `Deleted pod: ${p.metadata.name}`); continue; }
          if (unavailable < maxUnavail) { unavailable++; this.api.delete(res("pods"), ns, p.metadata.name, {}); this.event(ds, "Normal", "SuccessfulDelete", `Deleted pod: ${p.metadata.name}`); }
        }
      }
      // pods on nodes that are no longer eligible
      for (const [n, ps] of byNode) if (!eligible.some((e) => e.metadata.name === n)) for (const p of ps) if (!p.metadata.deletionTimestamp) this.api.delete(res("pods"), ns, p.metadata.name, {});
      ds = this.api.tryGet(res("daemonsets", "apps"), ns, ds.metadata.name) ?? ds;
      const fresh = this.ownedPods(ds).filter((p) => !p.metadata.deletionTimestamp);
      const onEligible = (p: Obj) => eligible.some((n) => n.metadata.name === p.spec.nodeName);
      const scheduled = fresh.filter((p) => p.spec.nodeName);
      const status: Obj = {
        currentNumberScheduled: new Set(scheduled.filter(onEligible).map((p) => p.spec.nodeName)).size,
        numberMisscheduled: scheduled.filter((p) => !onEligible(p)).length,
        desiredNumberScheduled: desired,
        numberReady: fresh.filter((p) => this.podReady(p)).length,
        observedGeneration: ds.metadata.generation,
        updatedNumberScheduled: new Set(scheduled.filter((p) => isUpdated(p) && onEligible(p)).map((p) => p.spec.nodeName)).size,
        numberAvailable: fresh.filter((p) => this.podReady(p)).length,
      };
      status.numberUnavailable = Math.max(0, desired - status.numberAvailable);
      for (const k of ["updatedNumberScheduled", "numberAvailable", "numberUnavailable"]) if (!status[k]) delete status[k];
      if (ds.status?.collisionCount) status.collisionCount = ds.status.collisionCount;
      this.api.writeStatus(res("daemonsets", "apps"), ds, status);
    }
  }

  // ------------------------------------------------------------------------------------------------ Deployments + ReplicaSets
  private deployments(now: number) {
    const rsR = res("replicasets", "apps");
    for (let dep of this.api.store.list(res("deployments", "apps"))) {
      if (dep.metadata.deletionTimestamp) continue;
      const ns = dep.metadata.namespace;
      const replicas = dep.spec.replicas ?? 1;
      const allRs = this.api.store.list(rsR, ns).filter((r) => r.metadata.ownerReferences?.some((o: Obj) => o.uid === dep.metadata.uid && o.controller));
      const tmplKey = (t: Obj) => { const c = clone(t); if (c.metadata?.labels) delete c.metadata.labels["pod-template-hash"]; return JSON.stringify(sortDeep(c)); };
      const want = tmplKey(dep.spec.template);
      let newRs = allRs.find((r) => tmplKey(r.spec.template) === want);
      const maxRev = Math.max(0, ...allRs.map((r) => Number(r.metadata.annotations?.["deployment.kubernetes.io/revision"] ?? 0)));
      let created = false;
      const isRecreate = dep.spec.strategy?.type === "Recreate";
      const ru = dep.spec.strategy?.rollingUpdate ?? {};
      const maxSurge = isRecreate ? 0 : intOrPercent(ru.maxSurge, replicas, true, Math.ceil(replicas / 4));
      let maxUnavail = isRecreate ? 0 : intOrPercent(ru.maxUnavailable, replicas, false, Math.floor(replicas / 4));
      if (!isRecreate && maxSurge === 0 && maxUnavail === 0) maxUnavail = 1;
      if (!newRs) {
        const hash = safeHash(JSON.parse(want), 10);
        const tmpl = clone(dep.spec.template);
        tmpl.metadata ??= {};
        tmpl.metadata.labels = { ...(tmpl.metadata.labels ?? {}), "pod-template-hash": hash };
        newRs = this.api.create(rsR, ns, {
          metadata: {
            name: `${dep.metadata.name}-${hash}`, labels: tmpl.metadata.labels,
            annotations: { "deployment.kubernetes.io/desired-replicas": String(replicas), "deployment.kubernetes.io/max-replicas": String(replicas + maxSurge), "deployment.kubernetes.io/revision": String(maxRev + 1) },
            ownerReferences: [ownerRef(dep)],
          },
          spec: { replicas: 0, selector: { matchLabels: { ...(dep.spec.selector.matchLabels ?? {}), "pod-template-hash": hash }, ...(dep.spec.selector.matchExpressions ? { matchExpressions: dep.spec.selector.matchExpressions } : {}) }, template: tmpl, ...(dep.spec.minReadySeconds ? { minReadySeconds: dep.spec.minReadySeconds } : {}) },
        }, { fieldManager: "kube-controller-manager" });
        created = true;
        this.event(dep, "Normal", "ScalingReplicaSet", `Scaled up replica set ${newRs.metadata.name} from 0 to ${isRecreate ? replicas : Math.min(replicas, 1)}`, "deployment-controller");
      } else if (Number(newRs.metadata.annotations?.["deployment.kubernetes.io/revision"] ?? 0) < maxRev) {
        newRs = this.api.writeSpec(rsR, newRs, (o) => { o.metadata.annotations["deployment.kubernetes.io/revision"] = String(maxRev + 1); });
      }
      const rev = newRs.metadata.annotations?.["deployment.kubernetes.io/revision"];
      if (dep.metadata.annotations?.["deployment.kubernetes.io/revision"] !== rev) dep = this.api.writeSpec(res("deployments", "apps"), dep, (o) => { o.metadata.annotations = { ...(o.metadata.annotations ?? {}), "deployment.kubernetes.io/revision": rev }; });
      const olds = this.api.store.list(rsR, ns).filter((r) => r.metadata.ownerReferences?.some((o: Obj) => o.uid === dep.metadata.uid && o.controller) && r.metadata.uid !== newRs!.metadata.uid);
      const scale = (rs: Obj, n: number) => {
        if (rs.spec.replicas === n) return rs;
        this.event(dep, "Normal", "ScalingReplicaSet", `Scaled ${n > rs.spec.replicas ? "up" : "down"} replica set ${rs.metadata.name} from ${rs.spec.replicas} to ${n}`, "deployment-controller");
        return this.api.writeSpec(rsR, rs, (o) => {
          o.spec.replicas = n;
          o.metadata.annotations = { ...(o.metadata.annotations ?? {}), "deployment.kubernetes.io/desired-replicas": String(replicas), "deployment.kubernetes.io/max-replicas": String(replicas + maxSurge) };
        });
      };
      const podsOf = (rs: Obj) => this.ownedPods(rs);
      const availOf = (rs: Obj) => podsOf(rs).filter((p) => this.podReady(p) && !p.metadata.deletionTimestamp).length;
      if (!dep.spec.paused) {
        if (isRecreate) {
          for (const o of olds) scale(o, 0);
          const oldPodsLeft = olds.some((o) => podsOf(o).length > 0);
          if (!oldPodsLeft) newRs = scale(newRs, replicas);
        } else {
          const total = () => newRs!.spec.replicas + olds.reduce((a, o) => a + o.spec.replicas, 0);
          if (newRs.spec.replicas > replicas) newRs = scale(newRs, replicas);
          else if (newRs.spec.replicas < replicas) {
            const allowed = replicas + maxSurge - total();
            if (allowed > 0) newRs = scale(newRs, Math.min(replicas, newRs.spec.replicas + allowed));
          }
          const minAvailable = replicas - maxUnavail;
          const newUnavailable = Math.max(0, newRs.spec.replicas - availOf(newRs));
          // 1) old pods that are not available can go first
          let budget = total() - minAvailable - newUnavailable;
          for (let i = 0; i < olds.length && budget > 0; i++) {
            const o = olds[i];
            const unhealthy = Math.max(0, o.spec.replicas - availOf(o));
            const cut = Math.min(unhealthy, budget);
            if (cut > 0) { olds[i] = scale(o, o.spec.replicas - cut); budget -= cut; }
          }
          // 2) scale down available old pods while keeping minAvailable
          const allAvail = availOf(newRs) + olds.reduce((a, o) => a + availOf(o), 0);
          let down = allAvail - minAvailable;
          for (let i = 0; i < olds.length && down > 0; i++) {
            const o = olds[i];
            const cut = Math.min(o.spec.replicas, down);
            if (cut > 0) { olds[i] = scale(o, o.spec.replicas - cut); down -= cut; }
          }
        }
      }
      // cleanup old revisions
      const idle = olds.filter((o) => o.spec.replicas === 0 && podsOf(o).length === 0).sort((a, b) => Number(a.metadata.annotations?.["deployment.kubernetes.io/revision"] ?? 0) - Number(b.metadata.annotations?.["deployment.kubernetes.io/revision"] ?? 0));
      while (idle.length > (dep.spec.revisionHistoryLimit ?? 10)) this.api.remove(rsR, idle.shift()!);

      // status
      const all = [newRs, ...olds];
      const podsAll = all.flatMap((r) => podsOf(r).filter((p) => !p.metadata.deletionTimestamp));
      const st: Obj = {
        observedGeneration: dep.metadata.generation,
        replicas: podsAll.length,
        updatedReplicas: podsOf(newRs).filter((p) => !p.metadata.deletionTimestamp).length,
        readyReplicas: podsAll.filter((p) => this.podReady(p)).length,
        availableReplicas: podsAll.filter((p) => this.podReady(p)).length,
      };
      st.unavailableReplicas = Math.max(0, Math.max(replicas, all.reduce((a, r) => a + r.spec.replicas, 0)) - st.availableReplicas);
      for (const k of ["replicas", "updatedReplicas", "readyReplicas", "availableReplicas", "unavailableReplicas"]) if (!st[k]) delete st[k];
      const prevConds: Obj[] = dep.status?.conditions ?? [];
      const prevC = (t: string) => prevConds.find((c) => c.type === t);
      const cond = (type: string, status: string, reason: string, message: string, touch: boolean) => {
        const old = prevC(type);
        const same = old && old.status === status && old.reason === reason && old.message === message;
        return { type, status, lastUpdateTime: same && !touch ? old.lastUpdateTime : ts(), lastTransitionTime: old && old.status === status ? old.lastTransitionTime : ts(), reason, message };
      };
      const avail = (st.availableReplicas ?? 0) >= replicas - maxUnavail;
      const available = cond("Available", avail ? "True" : "False", avail ? "MinimumReplicasAvailable" : "MinimumReplicasUnavailable", avail ? "Deployment has minimum availability." : "Deployment does not have minimum availability.", false);
      const complete = (st.updatedReplicas ?? 0) === replicas && (st.replicas ?? 0) === replicas && (st.availableReplicas ?? 0) === replicas && olds.every((o) => o.spec.replicas === 0);
      const progKey = JSON.stringify([newRs.metadata.name, st.updatedReplicas, st.availableReplicas, st.readyReplicas, st.replicas]);
      const pr = this.deployProgress.get(dep.metadata.uid);
      let progressing: Obj;
      if (complete) progressing = cond("Progressing", "True", "NewReplicaSetAvailable", `ReplicaSet "${newRs.metadata.name}" has successfully progressed.`, false);
      else if (created) progressing = cond("Progressing", "True", "NewReplicaSetCreated", `Created new replica set "${newRs.metadata.name}"`, true);
      else if (!pr || pr.key !== progKey) {
        progressing = prevC("Progressing")?.reason === "ProgressDeadlineExceeded" && pr?.key === progKey ? prevC("Progressing")! : cond("Progressing", "True", pr ? "ReplicaSetUpdated" : prevC("Progressing")?.reason ?? "ReplicaSetUpdated", pr ? `ReplicaSet "${newRs.metadata.name}" is progressing.` : prevC("Progressing")?.message ?? `ReplicaSet "${newRs.metadata.name}" is progressing.`, !!pr);
      } else if (now - pr.at > this.d((dep.spec.progressDeadlineSeconds ?? 600) * 1000)) {
        progressing = cond("Progressing", "False", "ProgressDeadlineExceeded", `ReplicaSet "${newRs.metadata.name}" has timed out progressing.`, false);
      } else progressing = prevC("Progressing") ?? cond("Progressing", "True", "ReplicaSetUpdated", `ReplicaSet "${newRs.metadata.name}" is progressing.`, true);
      if (!pr || pr.key !== progKey) this.deployProgress.set(dep.metadata.uid, { key: progKey, at: now });
      if (progressing.reason === "ProgressDeadlineExceeded" && prevC("Progressing")?.reason !== "ProgressDeadlineExceeded") this.event(dep, "Warning", "ProgressDeadlineExceeded", `Deployment "${dep.metadata.name}" has timed out progressing.`, "deployment-controller");
      st.conditions = [available, progressing];
      this.api.writeStatus(res("deployments", "apps"), dep, st);
    }
  }

  private replicasets() {
    const rsR = res("replicasets", "apps");
    for (const rs of this.api.store.list(rsR)) {
      if (rs.metadata.deletionTimestamp) continue;
      const pods = this.ownedPods(rs);
      const active = pods.filter((p) => this.podActive(p));
      const want = rs.spec.replicas ?? 1;
      if (active.length < want) for (let i = active.length; i < want; i++) this.createPod(rs, rs.spec.template, { generateName: `${rs.metadata.name}-` });
      else if (active.length > want) {
        const rank = (p: Obj) => (!p.spec.nodeName ? 0 : !this.podReady(p) ? 1 : 2);
        const victims = [...active].sort((a, b) => rank(a) - rank(b) || (b.metadata.creationTimestamp ?? "").localeCompare(a.metadata.creationTimestamp ?? "")).slice(0, active.length - want);
        for (const v of victims) { this.api.delete(res("pods"), v.metadata.namespace, v.metadata.name, {}); this.event(rs, "Normal", "SuccessfulDelete", `Deleted pod: ${v.metadata.name}`, "replicaset-controller"); }
      }
      const fresh = this.ownedPods(rs).filter((p) => this.podActive(p));
      const st: Obj = { replicas: fresh.length, fullyLabeledReplicas: fresh.length, readyReplicas: fresh.filter((p) => this.podReady(p)).length, availableReplicas: fresh.filter((p) => this.podReady(p)).length, observedGeneration: rs.metadata.generation };
      for (const k of ["fullyLabeledReplicas", "readyReplicas", "availableReplicas"]) if (!st[k]) delete st[k];
      this.api.writeStatus(rsR, rs, st);
    }
  }

  // ------------------------------------------------------------------------------------------------ Jobs + CronJobs
  private jobs(now: number) {
    const jR = res("jobs", "batch");
    for (const job of this.api.store.list(jR)) {
      if (job.metadata.deletionTimestamp) continue;
      const st: Obj = clone(job.status ?? {});
      if ((st.conditions ?? []).some((c: Obj) => (c.type === "Complete" || c.type === "Failed") && c.status === "True")) continue;
      if (job.spec.suspend) continue;
      const pods = this.ownedPods(job);
      const active = pods.filter((p) => this.podActive(p));
      const succeeded = pods.filter((p) => p.status?.phase === "Succeeded").length;
      const failed = pods.filter((p) => p.status?.phase === "Failed").length;
      const completions = job.spec.completions ?? 1;
      st.startTime ??= ts();
      const set = (k: string, v: number) => { if (v) st[k] = v; else delete st[k]; };
      set("active", active.length); set("succeeded", succeeded); set("failed", failed);
      st.ready = active.filter((p) => this.podReady(p)).length;
      st.terminating = pods.filter((p) => p.metadata.deletionTimestamp).length;
      st.uncountedTerminatedPods = {};
      const c = (type: string, reason: string, message: string) => ({ type, status: "True", lastProbeTime: ts(), lastTransitionTime: ts(), reason, message });
      if (succeeded >= completions) {
        st.conditions = [c("SuccessCriteriaMet", "CompletionsReached", "Reached expected number of succeeded pods"), c("Complete", "CompletionsReached", "Reached expected number of succeeded pods")];
        st.completionTime = ts();
        delete st.active;
        this.api.writeStatus(jR, job, st, "kube-controller-manager");
        this.event(job, "Normal", "Completed", "Job completed", "job-controller");
        continue;
      }
      if (failed > (job.spec.backoffLimit ?? 6)) {
        for (const p of active) this.api.delete(res("pods"), p.metadata.namespace, p.metadata.name, {});
        st.conditions = [c("FailureTarget", "BackoffLimitExceeded", "Job has reached the specified backoff limit"), c("Failed", "BackoffLimitExceeded", "Job has reached the specified backoff limit")];
        delete st.active;
        this.api.writeStatus(jR, job, st, "kube-controller-manager");
        this.event(job, "Warning", "BackoffLimitExceeded", "Job has reached the specified backoff limit", "job-controller");
        continue;
      }
      const lastFail = this.jobFailAt.get(job.metadata.uid);
      if (failed && lastFail === undefined) this.jobFailAt.set(job.metadata.uid, now);
      const retryOk = !failed || now - (this.jobFailAt.get(job.metadata.uid) ?? now) >= this.d(T.jobRetry * 2 ** (failed - 1));
      if (active.length < (job.spec.parallelism ?? 1) && succeeded + active.length < completions && retryOk) {
        this.jobFailAt.delete(job.metadata.uid);
        this.createPod(job, job.spec.template, { generateName: `${job.metadata.name}-` });
        st.active = (st.active ?? 0) + 1;
      }
      this.api.writeStatus(jR, job, st, "kube-controller-manager");
    }
  }

  private cronjobs() {
    const cjR = res("cronjobs", "batch"), jR = res("jobs", "batch");
    const vnow = this.cronNow();
    for (let cj of this.api.store.list(cjR)) {
      const ns = cj.metadata.namespace;
      const jobs = this.api.store.list(jR, ns).filter((j) => j.metadata.ownerReferences?.some((o: Obj) => o.uid === cj.metadata.uid && o.controller));
      const finished = (j: Obj) => (j.status?.conditions ?? []).find((c: Obj) => (c.type === "Complete" || c.type === "Failed") && c.status === "True");
      // unexpected (manual) jobs
      for (const j of jobs) {
        if (this.cronCreated.has(j.metadata.uid) || this.unexpectedSeen.has(j.metadata.uid)) continue;
        if ((cj.status?.active ?? []).some((a: Obj) => a.uid === j.metadata.uid)) { this.cronCreated.add(j.metadata.uid); continue; }
        this.unexpectedSeen.add(j.metadata.uid);
        this.event(cj, "Warning", "UnexpectedJob", `Saw a job that the controller did not create or forgot: ${j.metadata.name}`, "cronjob-controller");
      }
      const st: Obj = clone(cj.status ?? {});
      let active: Obj[] = st.active ?? [];
      for (const a of [...active]) {
        const j = jobs.find((x) => x.metadata.uid === a.uid);
        if (!j) { active = active.filter((x) => x !== a); continue; }
        const f = finished(j);
        if (f) {
          active = active.filter((x) => x !== a);
          this.event(cj, "Normal", "SawCompletedJob", `Saw completed job: ${j.metadata.name}, condition: ${f.type}`, "cronjob-controller");
          if (f.type === "Complete") st.lastSuccessfulTime = j.status.completionTime ?? ts();
        }
      }
      for (const j of jobs) if (this.unexpectedSeen.has(j.metadata.uid) && finished(j)?.type === "Complete" && j.status.completionTime && (!st.lastSuccessfulTime || j.status.completionTime > st.lastSuccessfulTime)) st.lastSuccessfulTime = j.status.completionTime;
      // schedule
      let next = this.cronNext.get(cj.metadata.uid);
      if (next === undefined) {
        next = nextCron(cj.spec.schedule, vnow);
        this.cronNext.set(cj.metadata.uid, next ?? Infinity);
      }
      if (next !== undefined && vnow >= next) {
        this.cronNext.set(cj.metadata.uid, nextCron(cj.spec.schedule, vnow) ?? Infinity);
        const blocked = cj.spec.concurrencyPolicy === "Forbid" && active.length > 0;
        if (!cj.spec.suspend && !blocked) {
          if (cj.spec.concurrencyPolicy === "Replace") for (const a of active) { try { this.api.delete(jR, ns, a.name, { propagationPolicy: "Background" }); } catch { /* gone */ } active = []; }
          const name = `${cj.metadata.name}-${Math.floor(next / 60000)}`;
          if (!this.api.tryGet(jR, ns, name)) {
            const tmpl = cj.spec.jobTemplate ?? {};
            const job = this.api.create(jR, ns, {
              metadata: { name, labels: clone(tmpl.metadata?.labels), annotations: { ...(tmpl.metadata?.annotations ?? {}), "batch.kubernetes.io/cronjob-scheduled-timestamp": new Date(next).toISOString().replace(".000Z", "Z") }, ownerReferences: [ownerRef(cj)] },
              spec: clone(tmpl.spec),
            }, { fieldManager: "kube-controller-manager" });
            this.cronCreated.add(job.metadata.uid);
            active = [...active, { kind: "Job", namespace: ns, name, uid: job.metadata.uid, apiVersion: "batch/v1", resourceVersion: job.metadata.resourceVersion }];
            st.lastScheduleTime = ts(next);
            this.event(cj, "Normal", "SuccessfulCreate", `Created job ${name}`, "cronjob-controller");
          }
        } else if (blocked) this.event(cj, "Normal", "JobAlreadyActive", "Not starting job because prior execution is running and concurrency policy is Forbid", "cronjob-controller");
      }
      st.active = active.length ? active : undefined;
      if (!st.active) delete st.active;
      cj = this.api.writeStatus(cjR, cj, st, "kube-controller-manager");
      // history limits
      const done = this.api.store.list(jR, ns).filter((j) => j.metadata.ownerReferences?.some((o: Obj) => o.uid === cj.metadata.uid && o.controller) && finished(j));
      const byTime = (a: Obj, b: Obj) => (a.status?.completionTime ?? a.metadata.creationTimestamp).localeCompare(b.status?.completionTime ?? b.metadata.creationTimestamp);
      const ok = done.filter((j) => finished(j).type === "Complete").sort(byTime);
      const bad = done.filter((j) => finished(j).type === "Failed").sort(byTime);
      while (ok.length > (cj.spec.successfulJobsHistoryLimit ?? 3)) { const j = ok.shift()!; this.api.delete(jR, ns, j.metadata.name, { propagationPolicy: "Background" }); this.event(cj, "Normal", "SuccessfulDelete", `Deleted job ${j.metadata.name}`, "cronjob-controller"); }
      while (bad.length > (cj.spec.failedJobsHistoryLimit ?? 1)) { const j = bad.shift()!; this.api.delete(jR, ns, j.metadata.name, { propagationPolicy: "Background" }); this.event(cj, "Normal", "SuccessfulDelete", `Deleted job ${j.metadata.name}`, "cronjob-controller"); }
    }
  }
}

// ---------------------------------------------------------------------------------------------------- helpers
export function nodeIP(node: string) { return `10.0.20.${100 + (NODE_INDEX[node] ?? 9)}`; }
function ownerRef(o: Obj) { return { apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, uid: o.metadata.uid, controller: true, blockOwnerDeletion: true }; }
function envOf(c: Obj): Record<string, string> { const e: Record<string, string> = {}; for (const x of c.env ?? []) if (x.value !== undefined) e[x.name] = x.value; return e; }
function stampNow() { const d = new Date(); const p = (n: number) => String(n).padStart(2, "0"); return `${d.getUTCFullYear()}/${p(d.getUTCMonth() + 1)}/${p(d.getUTCDate())} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}`; }
function fmtDur(ms: number) { const s = Math.round(ms / 1000); return s >= 60 ? `${Math.floor(s / 60)}m${s % 60}s` : `${s}s`; }
function stripTimes(s: Obj) { const c = clone(s ?? {}); for (const x of c.conditions ?? []) { delete x.lastTransitionTime; delete x.lastProbeTime; } return c; }
function sortDeep(v: unknown): unknown { if (Array.isArray(v)) return v.map(sortDeep); if (v && typeof v === "object") { const o: Obj = {}; for (const k of Object.keys(v).sort()) o[k] = sortDeep((v as Obj)[k]); return o; } return v; }
function allResources() {
  return [res("namespaces"), res("nodes"), res("pods"), res("services"), res("endpoints"), res("configmaps"), res("serviceaccounts"), res("persistentvolumeclaims"), res("events"), res("daemonsets", "apps"), res("deployments", "apps"), res("replicasets", "apps"), res("controllerrevisions", "apps"), res("jobs", "batch"), res("cronjobs", "batch"), res("poddisruptionbudgets", "policy"), res("endpointslices", "discovery.k8s.io"), res("events", "events.k8s.io")];
}
function nsResources() { return allResources().filter((r) => r.namespaced); }
function dependentsOf(api: Api, owner: Obj): [ReturnType<typeof res>, Obj][] {
  const out: [ReturnType<typeof res>, Obj][] = [];
  for (const r of nsResources()) for (const o of api.store.list(r, owner.metadata.namespace)) if ((o.metadata.ownerReferences ?? []).some((x: Obj) => x.uid === owner.metadata.uid)) out.push([r, o]);
  return out;
}

/** Next fire time (ms) after `after` for a 5-field cron expression (UTC). */
export function nextCron(expr: string, after: number): number | undefined {
  const f = expr.trim().split(/\s+/);
  if (f.length !== 5) return undefined;
  const ranges: [number, number][] = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 6]];
  const sets = f.map((field, i) => {
    const [lo, hi] = ranges[i];
    const s = new Set<number>();
    for (const part of field.split(",")) {
      const m = /^(\*|\d+(?:-\d+)?)(?:\/(\d+))?$/.exec(part);
      if (!m) return null;
      let a = lo, b = hi;
      if (m[1] !== "*") { const [x, y] = m[1].split("-").map(Number); a = x; b = y ?? (m[2] ? hi : x); }
      const step = Number(m[2] ?? 1);
      for (let v = a; v <= b; v += step) s.add(v);
    }
    return s;
  });
  if (sets.some((s) => !s)) return undefined;
  const d = new Date(Math.floor(after / 60000) * 60000 + 60000);
  for (let i = 0; i < 60 * 24 * 366; i++) {
    if (sets[3]!.has(d.getUTCMonth() + 1) && sets[2]!.has(d.getUTCDate()) && sets[4]!.has(d.getUTCDay()) && sets[1]!.has(d.getUTCHours()) && sets[0]!.has(d.getUTCMinutes())) return d.getTime();
    d.setTime(d.getTime() + 60000);
  }
  return undefined;
}

/** Latest fire time (ms) at or before `at` for a 5-field cron expression (UTC), searching back up to a week. */
export function prevCron(expr: string, at: number): number | undefined {
  let t = Math.floor(at / 60000) * 60000 - 60000;
  for (let i = 0; i < 7 * 24 * 60; i++, t -= 60000) if (nextCron(expr, t - 60000) === t) return t;
  return undefined;
}
