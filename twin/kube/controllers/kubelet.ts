// The kubelet: image pulls, container start/crash loops with back-off, readiness, node-cache/CoreDNS config reloads, pod IPs, graceful termination, and the pod logs (LogSource).
import type { Cluster } from "./index";
import { checkCorefile } from "../corefile";
import { badRequest } from "../errors";
import { corednsServing, flavorOf, jobLines, startupLines, type PodFlavor } from "../logs";
import { res } from "../resources";
import { deepEqual, safeHash, ts, type Obj } from "../util";
import { T, Line, CRuntime, PodRuntime, NODE_INDEX, nodeIP, envOf, stampNow, fmtDur, stripTimes } from "./util";

// ------------------------------------------------------------------------------------------------ kubelet
export function runtime(cl: Cluster, pod: Obj): PodRuntime {
  let rt = cl.pods.get(pod.metadata.uid);
  if (!rt) {
    // kubelet-injected service env vars: Services of the pod's namespace that exist now (frozen at pod start)
    const env: Record<string, string> = {};
    if (pod.spec.enableServiceLinks !== false) for (const s of cl.api.store.list(res("services"), pod.metadata.namespace)) {
      if (!s.spec?.clusterIP || s.spec.clusterIP === "None") continue;
      const n = s.metadata.name.toUpperCase().replace(/-/g, "_");
      env[`${n}_SERVICE_HOST`] = s.spec.clusterIP;
      if (s.spec.ports?.[0]) env[`${n}_SERVICE_PORT`] = String(s.spec.ports[0].port);
    }
    rt = { uid: pod.metadata.uid, env, containers: new Map(), scheduleAt: Date.now() + cl.d(T.schedule) };
    cl.pods.set(pod.metadata.uid, rt);
  }
  return rt;
}

export function configFor(cl: Cluster, pod: Obj, c: Obj, flavor: PodFlavor): { text?: string; missing?: string; volume?: string } {
  if (flavor !== "node-cache" && flavor !== "coredns") return {};
  const mounts: Obj[] = c.volumeMounts ?? [];
  for (const v of pod.spec.volumes ?? []) {
    if (!v.configMap || !mounts.some((m) => m.name === v.name)) continue;
    const cm = cl.api.tryGet(res("configmaps"), pod.metadata.namespace, v.configMap.name);
    if (!cm) { if (v.configMap.optional) continue; return { missing: v.configMap.name, volume: v.name }; }
    const key = v.configMap.items?.[0]?.key ?? "Corefile";
    if (cm.data?.[key] !== undefined) return { text: cm.data[key], volume: v.name };
  }
  return {};
}

export function args(cl: Cluster, c: Obj): string[] { return [...(c.command ?? []), ...(c.args ?? [])].map(String); }

export function flag(cl: Cluster, c: Obj, name: string): string | undefined {
  const a = args(cl, c);
  for (let i = 0; i < a.length; i++) {
    if (a[i] === `-${name}` || a[i] === `--${name}`) return a[i + 1];
    const m = new RegExp(`^--?${name}=(.*)$`).exec(a[i]);
    if (m) return m[1];
  }
  return undefined;
}

/** What happens when this container starts now: null = runs fine; else crash details. */
export function startOutcome(cl: Cluster, pod: Obj, c: Obj, flavor: PodFlavor, rt: PodRuntime, cfg: string | undefined): { crashLines: string[]; exitCode: number; runsFirst: boolean; config?: string; preLines?: string[] } | null {
  const ns = pod.metadata.namespace, name = pod.metadata.name;
  if (flavor === "node-cache" && cfg !== undefined) {
    const svc = flag(cl, c, "upstreamsvc") ?? "kube-dns";
    const envName = `${svc.toUpperCase().replace(/-/g, "_")}_SERVICE_HOST`;
    const ip = rt.env[envName];
    const localIps = (flag(cl, c, "localip") ?? "169.254.20.10").split(",").filter(Boolean);
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
  if (flavor !== "job" && cl.faults.podFails(ns, name)) return { crashLines: [`${new Date().toISOString()} fatal error: injected failure (twin fault podFail)`], exitCode: 1, runsFirst: true };
  return null;
}

export function push(cl: Cluster, cr: CRuntime, text: string, t = Date.now()) {
  const l = { t, text };
  cr.logs.push(l);
  if (cr.logs.length > 5000) cr.logs.splice(0, cr.logs.length - 5000);
  for (const s of cr.subs) s.line(l);
}

export function endFollow(cl: Cluster, cr: CRuntime) { for (const s of cr.subs) s.end(); cr.subs.clear(); }

export function kubelet(cl: Cluster, now: number) {
  for (const pod of cl.api.store.list(res("pods"))) {
    const node = pod.spec.nodeName;
    if (!node) continue;
    const rt = runtime(cl, pod);
    const nodeOk = cl.nodeReady(node);
    // termination
    if (pod.metadata.deletionTimestamp) {
      if (!nodeOk) continue; // an unreachable node never confirms deletion
      rt.deletingAt ??= now;
      const grace = Math.min((pod.metadata.deletionGracePeriodSeconds ?? 30) * 1000, T.terminate);
      if (now - rt.deletingAt >= cl.d(grace)) {
        for (const cr of rt.containers.values()) endFollow(cl, cr);
        cl.pods.delete(pod.metadata.uid);
        cl.api.remove(res("pods"), pod);
      } else if (rt.deletingAt === now) for (const c of pod.spec.containers) cl.event(pod, "Normal", "Killing", `Stopping container ${c.name}`, "kubelet");
      continue;
    }
    if (pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed") continue;
    rt.boundAt ??= now;
    if (!rt.ip) rt.ip = pod.spec.hostNetwork ? nodeIP(node) : allocIP(cl, node);
    if (!nodeOk) { writePodStatus(cl, pod, rt, nodeOk); continue; }
    for (const c of pod.spec.containers as Obj[]) {
      let cr = rt.containers.get(c.name);
      const flavor = flavorOf(pod, c);
      if (!cr) {
        cr = { name: c.name, state: "creating", since: now, nextAt: now + cl.d(T.pull * (0.6 + Math.random() * 0.8)), restartCount: 0, logs: [], subs: new Set(), pullFailures: 0 };
        rt.containers.set(c.name, cr);
        cl.event(pod, "Normal", "Pulling", `Pulling image "${c.image}"`, "kubelet");
      }
      if (now < cr.nextAt) continue;
      switch (cr.state) {
        case "creating": case "pullbackoff": {
          const cfg = configFor(cl, pod, c, flavor);
          if (cfg.missing) {
            if (!rt.mountWarned) { rt.mountWarned = true; cl.event(pod, "Warning", "FailedMount", `MountVolume.SetUp failed for volume "${cfg.volume}" : configmap "${cfg.missing}" not found`, "kubelet"); }
            cr.waitingReason = "ContainerCreating"; cr.nextAt = now + cl.d(T.pull);
            break;
          }
          if (cl.faults.imageNeverPulls(c.image)) {
            cr.pullFailures++;
            cr.state = "pullbackoff";
            const first = cr.pullFailures === 1;
            cr.waitingReason = first ? "ErrImagePull" : "ImagePullBackOff";
            cr.waitingMessage = first ? `failed to pull and unpack image "${c.image}": failed to resolve reference "${c.image}": not found` : `Back-off pulling image "${c.image}"`;
            if (first) cl.event(pod, "Warning", "Failed", `Failed to pull image "${c.image}": rpc error: code = NotFound desc = failed to pull and unpack image "${c.image}": failed to resolve reference "${c.image}": ${c.image}: not found`, "kubelet");
            cl.event(pod, "Normal", "BackOff", `Back-off pulling image "${c.image}"`, "kubelet");
            cr.nextAt = now + cl.d(Math.min(T.backoffBase * 2 ** (cr.pullFailures - 1), T.backoffMax));
            break;
          }
          if (cr.state === "creating" || cr.pullFailures) cl.event(pod, "Normal", "Pulled", `Successfully pulled image "${c.image}" in 1.2s (1.2s including waiting). Image size: 31337405 bytes.`, "kubelet");
          startContainer(cl, pod, c, cr, rt, flavor, cfg.text, now);
          break;
        }
        case "backoff": {
          const cfg = configFor(cl, pod, c, flavor);
          startContainer(cl, pod, c, cr, rt, flavor, cfg.text, now);
          break;
        }
        case "running": {
          if (cr.crashAt && now >= cr.crashAt) { crash(cl, pod, c, cr, now); break; }
          if (flavor === "job" && cr.exit === undefined && cr.startedAt && now - cr.startedAt >= cl.d(T.jobRun)) {
            finishJobContainer(cl, pod, c, cr, now);
            break;
          }
          // ConfigMap reload (the reload plugin) for CoreDNS/node-cache
          if ((flavor === "coredns" || flavor === "node-cache") && (cr.reloadCheckAt ?? 0) <= now) {
            cr.reloadCheckAt = now + cl.d(T.reload);
            const cfg = configFor(cl, pod, c, flavor);
            if (cfg.text !== undefined && cr.config !== undefined && cfg.text !== cr.config) reload(cl, pod, c, cr, rt, flavor, cfg.text, now);
          }
          cr.nextAt = Math.min(cr.crashAt ?? Infinity, cr.reloadCheckAt ?? Infinity, cr.readyAt && cr.readyAt > now ? cr.readyAt : Infinity, flavor === "job" && cr.startedAt ? cr.startedAt + cl.d(T.jobRun) : Infinity);
          if (!Number.isFinite(cr.nextAt)) cr.nextAt = now + cl.d(1000);
          break;
        }
      }
    }
    writePodStatus(cl, pod, rt, nodeOk);
  }
  // forget runtimes of pods that are gone
  for (const [uid, rt] of cl.pods) if (!cl.api.store.list(res("pods")).some((p) => p.metadata.uid === uid)) { for (const cr of rt.containers.values()) endFollow(cl, cr); cl.pods.delete(uid); }
}

export function startContainer(cl: Cluster, pod: Obj, c: Obj, cr: CRuntime, rt: PodRuntime, flavor: PodFlavor, cfg: string | undefined, now: number) {
  if (cr.state === "backoff" || cr.lastTerminated) { cr.prevLogs = [...cr.logs]; cr.logs = []; }
  const outcome = startOutcome(cl, pod, c, flavor, rt, cfg);
  const localIps = (flag(cl, c, "localip") ?? "169.254.20.10").split(",").filter(Boolean);
  cr.state = "running";
  cr.startedAt = now;
  cr.waitingReason = undefined; cr.waitingMessage = undefined;
  cr.config = cfg;
  cr.exit = undefined;
  cr.reloadCheckAt = now + cl.d(T.reload);
  cl.event(pod, "Normal", cr.restartCount ? "Started" : "Created", cr.restartCount ? `Started container ${c.name}` : `Created container ${c.name}`, "kubelet");
  if (!cr.restartCount) cl.event(pod, "Normal", "Started", `Started container ${c.name}`, "kubelet");
  const corefile = flavor === "node-cache" && cfg ? cfg.replaceAll("__PILLAR__CLUSTER__DNS__", rt.env[`${(flag(cl, c, "upstreamsvc") ?? "kube-dns").toUpperCase().replace(/-/g, "_")}_SERVICE_HOST`] ?? "<nil>").replaceAll("__PILLAR__UPSTREAM__SERVERS__", "/etc/resolv.conf").replaceAll("__PILLAR__LOCAL__DNS__", localIps.join(" ")).replaceAll("__PILLAR__DNS__SERVER__", "") : cfg;
  for (const l of outcome?.preLines ?? []) push(cl, cr, l, now);
  if (flavor === "job") {
    const owner = pod.metadata.ownerReferences?.find((o: Obj) => o.kind === "Job")?.name ?? pod.metadata.name;
    const job = cl.api.tryGet(res("jobs", "batch"), pod.metadata.namespace, owner);
    const cron = job?.metadata.ownerReferences?.find((o: Obj) => o.kind === "CronJob")?.name ?? owner;
    const fail = args(cl, c).join(" ").includes("fail") || cl.faults.podFails(pod.metadata.namespace, pod.metadata.name);
    (cr as CRuntime & { jobFail?: boolean }).jobFail = fail;
    const lines = jobLines(cron, now, fail);
    lines.forEach((l, i) => setTimeout(() => { if (cr.state === "running") push(cl, cr, l); }, cl.d((i * T.jobRun) / (lines.length + 1))));
  } else {
    for (const l of startupLines(flavor, now, { corefile, image: c.image, localIps, podName: pod.metadata.name })) push(cl, cr, l, now);
  }
  if (outcome && !outcome.runsFirst) {
    for (const l of outcome.crashLines) push(cl, cr, l, now);
    cr.crashAt = now + cl.d(300);
    cr.nextAt = cr.crashAt;
    return;
  }
  if (flavor === "coredns" || flavor === "node-cache") for (const l of corednsServing(corefile ?? "", flavor, localIps)) push(cl, cr, l, now);
  if (outcome?.runsFirst) {
    cr.crashAt = now + cl.d(T.crashRun);
    cr.crashLines = outcome.crashLines;
  } else cr.crashAt = undefined;
  const hasReadiness = !!c.readinessProbe;
  cr.readyAt = hasReadiness ? now + cl.d(T.ready + (c.readinessProbe.initialDelaySeconds ?? 0) * 100) : now;
  cr.nextAt = Math.min(cr.crashAt ?? Infinity, cr.readyAt > now ? cr.readyAt : Infinity, now + cl.d(flavor === "job" ? T.jobRun : T.reload));
}

export function crash(cl: Cluster, pod: Obj, c: Obj, cr: CRuntime, now: number) {
  for (const l of cr.crashLines ?? []) push(cl, cr, l, now);
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
  cr.nextAt = now + cl.d(backoff);
  endFollow(cl, cr);
  cl.event(pod, "Warning", "BackOff", `Back-off restarting failed container ${c.name} in pod ${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`, "kubelet");
}

export function finishJobContainer(cl: Cluster, pod: Obj, c: Obj, cr: CRuntime, now: number) {
  const fail = (cr as CRuntime & { jobFail?: boolean }).jobFail || cl.faults.podFails(pod.metadata.namespace, pod.metadata.name);
  cr.exit = { code: fail ? 1 : 0, reason: fail ? "Error" : "Completed", at: now, startedAt: cr.startedAt ?? now };
  cr.state = "terminated";
  cr.readyAt = undefined;
  endFollow(cl, cr);
}

export function reload(cl: Cluster, pod: Obj, c: Obj, cr: CRuntime, rt: PodRuntime, flavor: PodFlavor, text: string, now: number) {
  const file = flavor === "node-cache" ? "/etc/Corefile" : "/etc/coredns/Corefile";
  let eff = text;
  if (flavor === "node-cache") {
    const ip = rt.env[`${(flag(cl, c, "upstreamsvc") ?? "kube-dns").toUpperCase().replace(/-/g, "_")}_SERVICE_HOST`];
    eff = text.replaceAll("__PILLAR__CLUSTER__DNS__", ip ?? "<nil>").replaceAll("__PILLAR__UPSTREAM__SERVERS__", "/etc/resolv.conf").replaceAll("__PILLAR__LOCAL__DNS__", (flag(cl, c, "localip") ?? "169.254.20.10").split(",").join(" ")).replaceAll("__PILLAR__DNS__SERVER__", "");
    push(cl, cr, `${stampNow()} [INFO] Updated Corefile with 0 custom stubdomains and upstream servers /etc/resolv.conf`, now);
  }
  const chk = checkCorefile(eff, { file, env: { ...rt.env, ...envOf(c) } });
  if (!chk.ok) {
    if (chk.error!.includes("Error during parsing")) push(cl, cr, `[ERROR] Restart failed: ${chk.error}`, now);
    else push(cl, cr, `[ERROR] Corefile changed but reload failed: ${chk.error}`, now);
    cr.config = text; // the bad file is latent: it bites on the next start
    return;
  }
  push(cl, cr, "[INFO] Reloading", now);
  cr.config = text;
  if (chk.fatal) {
    cr.crashLines = [chk.fatal];
    cr.crashAt = now + cl.d(500);
    return;
  }
  push(cl, cr, `[INFO] plugin/reload: Running configuration SHA512 = ${safeHash(text, 32)}${safeHash(text + "x", 32)}`, now);
  push(cl, cr, "[INFO] Reloading complete", now);
}

export function allocIP(cl: Cluster, node: string) {
  const n = (cl.ipCounters.get(node) ?? 1) + 1;
  cl.ipCounters.set(node, n > 250 ? 2 : n);
  return `10.244.${NODE_INDEX[node] ?? 9}.${n}`;
}

export function writePodStatus(cl: Cluster, pod: Obj, rt: PodRuntime, nodeOk: boolean) {
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
  if (!deepEqual(stripTimes(prev), stripTimes(status))) cl.api.writeStatus(res("pods"), pod, status, "kubelet");
}

// ------------------------------------------------------------------------------------------------ logs (LogSource)
export function logLinesFor(cl: Cluster, ns: string, podName: string, container: string | undefined, previous: boolean) {
  const pod = cl.api.tryGet(res("pods"), ns, podName)!;
  const names = (pod.spec.containers as Obj[]).map((c) => c.name);
  if (!container) {
    if (names.length !== 1) throw badRequest(`a container name must be specified for pod ${podName}, choose one of: [${names.join(" ")}]`);
    container = names[0];
  }
  if (!names.includes(container)) throw badRequest(`container ${container} is not valid for pod ${podName}`);
  const rt = cl.pods.get(pod.metadata.uid);
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
