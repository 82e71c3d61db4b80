// Server-side printing: the meta.k8s.io/v1 Table kube-apiserver returns when a client asks for
// `Accept: application/json;as=Table;v=v1;g=meta.k8s.io` (kubectl get / get -w). Columns follow kubernetes'
// pkg/printers/internalversion/printers.go for the kinds dnsdeck's stack uses; others get the default
// "Name, Created At" table of the generic registry. Ages use apimachinery's duration.HumanDuration.
import type { ResourceDef } from "./resources";
import type { Obj } from "./util";

type Col = { name: string; type: string; format?: string; priority?: number; description?: string };
type Printer = { columns: Col[]; cells(o: Obj, now: number): unknown[] };

/** apimachinery util/duration.HumanDuration. */
export function humanDuration(ms: number): string {
  const seconds = Math.floor(ms / 1000);
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${Math.floor(hours / 24)}d` : `${Math.floor(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24)}d`;
  const days = Math.floor(hours / 24);
  if (hours < 24 * 365 * 8) return days % 365 === 0 ? `${Math.floor(days / 365)}y` : `${Math.floor(days / 365)}y${days % 365}d`;
  return `${Math.floor(days / 365)}y`;
}

const age = (o: Obj, now: number) => (o.metadata?.creationTimestamp ? humanDuration(now - Date.parse(o.metadata.creationTimestamp)) : "<unknown>");
const since = (t: string | undefined, now: number) => (t ? humanDuration(now - Date.parse(t)) : "<none>");
const nameCol: Col = { name: "Name", type: "string", format: "name", description: "Name must be unique within a namespace." };
const ageCol: Col = { name: "Age", type: "string", description: "CreationTimestamp is a timestamp representing the server time when this object was created." };
const wide = (name: string, type = "string"): Col => ({ name, type, priority: 1 });
const selectorText = (sel: Obj | undefined) => {
  if (!sel) return "<none>";
  const parts = Object.entries(sel.matchLabels ?? sel).filter(([, v]) => typeof v === "string").map(([k, v]) => `${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) parts.push(`${e.key} ${String(e.operator).toLowerCase()} (${(e.values ?? []).join(",")})`);
  return parts.length ? parts.join(",") : "<none>";
};
const containers = (tpl: Obj | undefined) => (tpl?.spec?.containers ?? []).map((c: Obj) => c.name).join(",");
const images = (tpl: Obj | undefined) => (tpl?.spec?.containers ?? []).map((c: Obj) => c.image).join(",");

/** kubectl's pod STATUS column (printPod): waiting/terminated reasons win over the phase. */
function podStatus(p: Obj): { ready: string; status: string; restarts: string } {
  const specCount = (p.spec?.containers ?? []).length;
  let reason: string = p.status?.reason ?? p.status?.phase ?? "Unknown";
  let restarts = 0;
  let ready = 0;
  let lastRestart: string | undefined;
  for (const c of (p.status?.initContainerStatuses ?? []) as Obj[]) {
    restarts += c.restartCount ?? 0;
    if (c.state?.terminated && c.state.terminated.exitCode !== 0) reason = `Init:${c.state.terminated.reason ?? `ExitCode:${c.state.terminated.exitCode}`}`;
    else if (c.state?.waiting?.reason && c.state.waiting.reason !== "PodInitializing") reason = `Init:${c.state.waiting.reason}`;
  }
  let hasRunning = false;
  for (const c of [...((p.status?.containerStatuses ?? []) as Obj[])].reverse()) {
    restarts += c.restartCount ?? 0;
    const fin = c.lastState?.terminated?.finishedAt;
    if (fin && (!lastRestart || fin > lastRestart)) lastRestart = fin;
    if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
    else if (c.state?.terminated?.reason) reason = c.state.terminated.reason;
    else if (c.state?.terminated) reason = c.state.terminated.signal ? `Signal:${c.state.terminated.signal}` : `ExitCode:${c.state.terminated.exitCode}`;
    else if (c.ready && c.state?.running) {
      hasRunning = true;
      ready++;
    }
  }
  if (reason === "Completed" && hasRunning) reason = (p.status?.conditions ?? []).some((c: Obj) => c.type === "Ready" && c.status === "True") ? "Running" : "NotReady";
  if (p.metadata?.deletionTimestamp) reason = p.status?.reason === "NodeLost" ? "Unknown" : "Terminating";
  return { ready: `${ready}/${specCount}`, status: reason, restarts: lastRestart ? `${restarts} (${humanDuration(Date.now() - Date.parse(lastRestart))} ago)` : String(restarts) };
}

const PRINTERS: Record<string, Printer> = {
  pods: {
    columns: [nameCol, { name: "Ready", type: "string" }, { name: "Status", type: "string" }, { name: "Restarts", type: "string" }, ageCol, wide("IP"), wide("Node"), wide("Nominated Node"), wide("Readiness Gates")],
    cells: (p, now) => {
      const s = podStatus(p);
      return [p.metadata.name, s.ready, s.status, s.restarts, age(p, now), p.status?.podIP ?? "<none>", p.spec?.nodeName ?? "<none>", p.status?.nominatedNodeName ?? "<none>", "<none>"];
    },
  },
  nodes: {
    columns: [nameCol, { name: "Status", type: "string" }, { name: "Roles", type: "string" }, ageCol, { name: "Version", type: "string" }, wide("Internal-IP"), wide("External-IP"), wide("OS-Image"), wide("Kernel-Version"), wide("Container-Runtime")],
    cells: (n, now) => {
      const ready = (n.status?.conditions ?? []).find((c: Obj) => c.type === "Ready");
      const status = [ready?.status === "True" ? "Ready" : "NotReady", ...(n.spec?.unschedulable ? ["SchedulingDisabled"] : [])].join(",");
      const roles = Object.keys(n.metadata.labels ?? {}).filter((k) => k.startsWith("node-role.kubernetes.io/")).map((k) => k.slice("node-role.kubernetes.io/".length)).join(",") || "<none>";
      const addr = (t: string) => (n.status?.addresses ?? []).find((a: Obj) => a.type === t)?.address ?? "<none>";
      const info = n.status?.nodeInfo ?? {};
      return [n.metadata.name, status, roles, age(n, now), info.kubeletVersion ?? "", addr("InternalIP"), addr("ExternalIP"), info.osImage ?? "<unknown>", info.kernelVersion ?? "<unknown>", info.containerRuntimeVersion ?? "<unknown>"];
    },
  },
  namespaces: { columns: [nameCol, { name: "Status", type: "string" }, ageCol], cells: (o, now) => [o.metadata.name, o.status?.phase ?? "Active", age(o, now)] },
  services: {
    columns: [nameCol, { name: "Type", type: "string" }, { name: "Cluster-IP", type: "string" }, { name: "External-IP", type: "string" }, { name: "Port(s)", type: "string" }, ageCol, wide("Selector")],
    cells: (s, now) => {
      const lb = (s.status?.loadBalancer?.ingress ?? []).map((i: Obj) => i.ip ?? i.hostname).filter(Boolean);
      const ext = s.spec?.type === "LoadBalancer" ? (lb.length ? lb.join(",") : "<pending>") : (s.spec?.externalIPs ?? []).join(",") || "<none>";
      const ports = (s.spec?.ports ?? []).map((p: Obj) => `${p.port}${p.nodePort ? `:${p.nodePort}` : ""}/${p.protocol ?? "TCP"}`).join(",") || "<none>";
      return [s.metadata.name, s.spec?.type ?? "ClusterIP", s.spec?.clusterIP ?? "<none>", ext, ports, age(s, now), selectorText(s.spec?.selector)];
    },
  },
  endpoints: {
    columns: [nameCol, { name: "Endpoints", type: "string" }, ageCol],
    cells: (e, now) => {
      const list: string[] = [];
      for (const sub of e.subsets ?? []) for (const a of sub.addresses ?? []) for (const p of sub.ports ?? [{}]) list.push(p.port ? `${a.ip}:${p.port}` : a.ip);
      const shown = list.slice(0, 3).join(",") + (list.length > 3 ? ` + ${list.length - 3} more...` : "");
      return [e.metadata.name, shown || "<none>", age(e, now)];
    },
  },
  configmaps: { columns: [nameCol, { name: "Data", type: "integer" }, ageCol], cells: (c, now) => [c.metadata.name, Object.keys(c.data ?? {}).length + Object.keys(c.binaryData ?? {}).length, age(c, now)] },
  serviceaccounts: { columns: [nameCol, { name: "Secrets", type: "integer" }, ageCol], cells: (o, now) => [o.metadata.name, (o.secrets ?? []).length, age(o, now)] },
  persistentvolumeclaims: {
    columns: [nameCol, { name: "Status", type: "string" }, { name: "Volume", type: "string" }, { name: "Capacity", type: "string" }, { name: "Access Modes", type: "string" }, { name: "StorageClass", type: "string" }, { name: "VolumeAttributesClass", type: "string" }, ageCol, wide("VolumeMode")],
    cells: (o, now) => [o.metadata.name, o.status?.phase ?? "Pending", o.spec?.volumeName ?? "", o.status?.capacity?.storage ?? "", (o.status?.accessModes ?? []).map((m: string) => ({ ReadWriteOnce: "RWO", ReadOnlyMany: "ROX", ReadWriteMany: "RWX", ReadWriteOncePod: "RWOP" })[m] ?? m).join(","), o.spec?.storageClassName ?? "", "<unset>", age(o, now), o.spec?.volumeMode ?? "Filesystem"],
  },
  daemonsets: {
    columns: [nameCol, { name: "Desired", type: "integer" }, { name: "Current", type: "integer" }, { name: "Ready", type: "integer" }, { name: "Up-to-date", type: "integer" }, { name: "Available", type: "integer" }, { name: "Node Selector", type: "string" }, ageCol, wide("Containers"), wide("Images"), wide("Selector")],
    cells: (d, now) => {
      const st = d.status ?? {};
      const ns = Object.entries(d.spec?.template?.spec?.nodeSelector ?? {}).map(([k, v]) => `${k}=${v}`).join(",") || "<none>";
      return [d.metadata.name, st.desiredNumberScheduled ?? 0, st.currentNumberScheduled ?? 0, st.numberReady ?? 0, st.updatedNumberScheduled ?? 0, st.numberAvailable ?? 0, ns, age(d, now), containers(d.spec?.template), images(d.spec?.template), selectorText(d.spec?.selector)];
    },
  },
  deployments: {
    columns: [nameCol, { name: "Ready", type: "string" }, { name: "Up-to-date", type: "integer" }, { name: "Available", type: "integer" }, ageCol, wide("Containers"), wide("Images"), wide("Selector")],
    cells: (d, now) => [d.metadata.name, `${d.status?.readyReplicas ?? 0}/${d.spec?.replicas ?? 1}`, d.status?.updatedReplicas ?? 0, d.status?.availableReplicas ?? 0, age(d, now), containers(d.spec?.template), images(d.spec?.template), selectorText(d.spec?.selector)],
  },
  replicasets: {
    columns: [nameCol, { name: "Desired", type: "integer" }, { name: "Current", type: "integer" }, { name: "Ready", type: "integer" }, ageCol, wide("Containers"), wide("Images"), wide("Selector")],
    cells: (r, now) => [r.metadata.name, r.spec?.replicas ?? 0, r.status?.replicas ?? 0, r.status?.readyReplicas ?? 0, age(r, now), containers(r.spec?.template), images(r.spec?.template), selectorText(r.spec?.selector)],
  },
  controllerrevisions: { columns: [nameCol, { name: "Controller", type: "string" }, { name: "Revision", type: "integer" }, ageCol], cells: (c, now) => { const o = (c.metadata.ownerReferences ?? []).find((x: Obj) => x.controller); return [c.metadata.name, o ? `${o.kind.toLowerCase()}.${o.apiVersion.split("/")[0]}/${o.name}` : "<none>", c.revision ?? 0, age(c, now)]; } },
  jobs: {
    columns: [nameCol, { name: "Status", type: "string" }, { name: "Completions", type: "string" }, { name: "Duration", type: "string" }, ageCol, wide("Containers"), wide("Images"), wide("Selector")],
    cells: (j, now) => {
      const conds = (j.status?.conditions ?? []).filter((c: Obj) => c.status === "True").map((c: Obj) => c.type);
      const status = conds.includes("Complete") ? "Complete" : conds.includes("Failed") ? "Failed" : j.metadata.deletionTimestamp ? "Terminating" : conds.includes("Suspended") ? "Suspended" : conds.includes("FailureTarget") ? "FailureTarget" : "Running";
      const comp = j.spec?.completions !== undefined ? `${j.status?.succeeded ?? 0}/${j.spec.completions}` : `${j.status?.succeeded ?? 0}/1 of ${j.spec?.parallelism ?? 1}`;
      const start = j.status?.startTime ? Date.parse(j.status.startTime) : undefined;
      const end = j.status?.completionTime ? Date.parse(j.status.completionTime) : now;
      return [j.metadata.name, status, comp, start ? humanDuration(end - start) : "", age(j, now), containers(j.spec?.template), images(j.spec?.template), selectorText(j.spec?.selector)];
    },
  },
  cronjobs: {
    columns: [nameCol, { name: "Schedule", type: "string" }, { name: "Timezone", type: "string" }, { name: "Suspend", type: "boolean" }, { name: "Active", type: "integer" }, { name: "Last Schedule", type: "string" }, ageCol, wide("Containers"), wide("Images"), wide("Selector")],
    cells: (c, now) => [c.metadata.name, c.spec?.schedule ?? "", c.spec?.timeZone ?? "<none>", !!c.spec?.suspend, (c.status?.active ?? []).length, since(c.status?.lastScheduleTime, now), age(c, now), containers(c.spec?.jobTemplate?.spec?.template), images(c.spec?.jobTemplate?.spec?.template), selectorText(c.spec?.jobTemplate?.spec?.selector)],
  },
  poddisruptionbudgets: {
    columns: [nameCol, { name: "Min Available", type: "string" }, { name: "Max Unavailable", type: "string" }, { name: "Allowed Disruptions", type: "integer" }, ageCol],
    cells: (p, now) => [p.metadata.name, p.spec?.minAvailable !== undefined ? String(p.spec.minAvailable) : "N/A", p.spec?.maxUnavailable !== undefined ? String(p.spec.maxUnavailable) : "N/A", p.status?.disruptionsAllowed ?? 0, age(p, now)],
  },
  events: {
    columns: [{ name: "Last Seen", type: "string" }, { name: "Type", type: "string" }, { name: "Reason", type: "string" }, { name: "Object", type: "string" }, { name: "Message", type: "string" }, wide("Source"), wide("Subobject"), wide("First Seen"), wide("Count", "integer"), nameCol],
    cells: (e, now) => {
      const last = e.lastTimestamp ?? e.eventTime ?? e.metadata.creationTimestamp;
      const obj = e.involvedObject ?? e.regarding ?? {};
      return [since(last, now), e.type ?? "", e.reason ?? "", `${String(obj.kind ?? "").toLowerCase()}/${obj.name ?? ""}`, e.message ?? e.note ?? "", e.source?.component ?? e.reportingController ?? "", obj.fieldPath ?? "", since(e.firstTimestamp ?? last, now), e.count ?? 1, e.metadata.name];
    },
  },
};

const DEFAULT: Printer = {
  columns: [nameCol, { name: "Created At", type: "date", description: "CreationTimestamp is a timestamp representing the server time when this object was created." }],
  cells: (o) => [o.metadata.name, o.metadata.creationTimestamp ?? ""],
};

/** Does the Accept header ask for a Table (kubectl get)? */
export function wantsTable(accept: string | undefined): boolean {
  return !!accept && accept.split(",").some((part) => /(^|;)\s*as=Table/.test(part) && /g=meta\.k8s\.io/.test(part) && /v=v1(;|$|\s)/.test(part + ";"));
}

/** The Table for objects of one resource; `withColumns: false` for watch events after the first, as the apiserver does. */
export function toTable(r: ResourceDef, items: Obj[], resourceVersion: string, opts: { withColumns?: boolean; continueToken?: string; includeObject?: string } = {}): Obj {
  const printer = r.group === "events.k8s.io" ? PRINTERS.events : (r.group === "" || r.group === "apps" || r.group === "batch" || r.group === "policy" ? PRINTERS[r.plural] : undefined) ?? DEFAULT;
  const now = Date.now();
  const include = opts.includeObject ?? "Metadata";
  return {
    kind: "Table",
    apiVersion: "meta.k8s.io/v1",
    metadata: { resourceVersion, ...(opts.continueToken ? { continue: opts.continueToken } : {}) },
    columnDefinitions: opts.withColumns === false ? null : printer.columns.map((c) => ({ name: c.name, type: c.type, format: c.format ?? "", description: c.description ?? c.name, priority: c.priority ?? 0 })),
    rows: items.map((o) => ({
      cells: printer.cells(o, now),
      object: include === "None" ? null : include === "Object" ? o : { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: o.metadata },
    })),
  };
}
