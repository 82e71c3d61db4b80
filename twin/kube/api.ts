// API semantics shared by the HTTP layer, the seed and the controllers: create/update/patch/apply/delete with
// defaulting, validation, managedFields, the Kyverno-style admission mutation and dry runs.
import YAML from "yaml";
import { alreadyExists, badRequest, conflict, invalid, notFound, StatusError, unsupportedMedia } from "./errors";
import { byKind, gv, res, type ResourceDef } from "./resources";
import {
  applyMerge, dec, diffPaths, fieldSet, fromFieldsV1, hasPath, jsonPatch, mergePatch, pathString, removePath, StatusLikeError, strategicMerge, toFieldsV1, type PathSet,
} from "./schema";
import { Store } from "./store";
import { unknownFields, type FieldValidation } from "./fields";
import { clone, deepEqual, isObj, randSuffix, ts, uid, type Obj } from "./util";

export interface WriteOpts {
  dryRun?: boolean; fieldManager?: string; subresource?: "status" | "scale"; force?: boolean; userAgent?: string;
  /** Requests over HTTP carry one (default Warn); the twin's own controllers write without field validation. */
  fieldValidation?: FieldValidation;
  /** Filled with `Warning` header texts (unknown fields dropped under Warn). */
  warnings?: string[];
}

interface MfEntry { manager: string; operation: "Apply" | "Update"; apiVersion: string; time?: string; fieldsType: "FieldsV1"; fieldsV1: Obj; subresource?: string }

const DNS1123 = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS1035 = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Field validation of a JSON write (create, update, non-apply patch), as the API server's strict decoder does it. */
function validateFields(r: ResourceDef, o: Obj, w: WriteOpts) {
  if (!w.fieldValidation || w.subresource) return;
  const unknown = unknownFields(r, o, w.fieldValidation !== "Strict");
  if (!unknown.length) return;
  if (w.fieldValidation === "Strict")
    throw badRequest(`${r.kind} in version "${r.version}" cannot be handled as a ${r.kind}: strict decoding error: ${unknown.map((u) => `unknown field "${u.json}"`).join(", ")}`);
  if (w.fieldValidation === "Warn") w.warnings?.push(...unknown.map((u) => `unknown field "${u.json}"`));
}

export class Api {
  constructor(public store: Store, public hooks: { admissionNdots: boolean } = { admissionNdots: true }) {}
  /** Called after every stored write (controllers kick a reconcile). */
  onWrite: () => void = () => {};

  // ---------------------------------------------------------------------------------------------------- reads
  get(r: ResourceDef, ns: string | undefined, name: string): Obj {
    const o = this.store.get(r, ns, name);
    if (!o) throw notFound(r, name);
    return o;
  }
  tryGet(r: ResourceDef, ns: string | undefined, name: string): Obj | undefined {
    return this.store.get(r, ns, name);
  }

  private ensureNamespace(r: ResourceDef, ns: string | undefined) {
    if (!r.namespaced) return;
    if (!ns) throw badRequest("the server could not find the requested resource (namespace required)");
    const n = this.store.get(res("namespaces"), undefined, ns);
    if (!n) throw notFound(res("namespaces"), ns);
    return n;
  }

  // ---------------------------------------------------------------------------------------------------- create
  create(r: ResourceDef, ns: string | undefined, body: Obj, o: WriteOpts = {}): Obj {
    if (!isObj(body)) throw badRequest("Object 'Kind' is missing in the request body");
    const obj = clone(body);
    obj.apiVersion = gv(r);
    obj.kind = r.kind;
    obj.metadata ??= {};
    if (r.namespaced) {
      if (obj.metadata.namespace && ns && obj.metadata.namespace !== ns) throw badRequest("the namespace of the provided object does not match the namespace sent on the request");
      obj.metadata.namespace = ns ?? obj.metadata.namespace;
    } else delete obj.metadata.namespace;
    const nsObj = this.ensureNamespace(r, obj.metadata.namespace);
    if (nsObj?.status?.phase === "Terminating") throw new StatusError(403, "Forbidden", `${r.plural} "${obj.metadata.name ?? ""}" is forbidden: unable to create new content in namespace ${ns} because it is being terminated`);
    validateFields(r, obj, o);
    if (!obj.metadata.name && obj.metadata.generateName) obj.metadata.name = obj.metadata.generateName + randSuffix(5);
    if (!obj.metadata.name) throw invalid(r, "", [{ type: "FieldValueRequired", field: "metadata.name", detail: "name or generateName is required" }]);
    if (this.store.get(r, obj.metadata.namespace, obj.metadata.name)) throw alreadyExists(r, obj.metadata.name);
    for (const k of ["uid", "resourceVersion", "creationTimestamp", "deletionTimestamp", "generation", "selfLink"]) delete obj.metadata[k];
    const bodyMf = obj.metadata.managedFields;
    delete obj.metadata.managedFields;
    if (r.status && !["namespaces", "nodes", "persistentvolumeclaims", "pods"].includes(r.plural)) delete obj.status;
    this.defaults(r, obj, undefined);
    this.validate(r, obj, undefined);
    const manager = o.fieldManager ?? managerFromUA(o.userAgent);
    let entries: MfEntry[] = [];
    if (Array.isArray(bodyMf) && bodyMf.length && bodyMf.some((e: Obj) => e.manager)) entries = bodyMf; // internal seeding path
    else entries = updateManaged([], undefined, obj, manager, gv(r), o.subresource);
    obj.metadata.managedFields = entries;
    this.admit(r, obj);
    obj.metadata.uid = uid();
    obj.metadata.creationTimestamp = ts();
    if (r.hasSpec) obj.metadata.generation = 1;
    if (o.dryRun) return order(obj);
    obj.metadata.resourceVersion = String(this.store.nextRv());
    if (r.plural === "services") this.allocated.add(obj.spec?.clusterIP);
    this.store.put(r, order(obj), "ADDED");
    this.onWrite();
    return obj;
  }

  // ---------------------------------------------------------------------------------------------------- update (PUT)
  update(r: ResourceDef, ns: string | undefined, name: string, body: Obj, o: WriteOpts = {}): Obj {
    if (!isObj(body)) throw badRequest("invalid body");
    if (body.metadata?.name && body.metadata.name !== name) throw badRequest(`the name of the object (${body.metadata.name}) does not match the name on the URL (${name})`);
    const old = this.store.get(r, ns, name);
    if (!old) {
      if (o.subresource) throw notFound(r, name);
      // PUT on a missing object creates it for most resources? kube-apiserver: only if AllowCreateOnUpdate; for these kinds it is false.
      throw notFound(r, name);
    }
    const rv = body.metadata?.resourceVersion;
    if (rv && rv !== old.metadata.resourceVersion) throw conflict(r, name);
    const next = clone(body);
    next.apiVersion = gv(r);
    next.kind = r.kind;
    validateFields(r, next, o);
    return this.commit(r, old, next, o, "Update", body.metadata?.managedFields);
  }

  // ---------------------------------------------------------------------------------------------------- patch
  patch(r: ResourceDef, ns: string | undefined, name: string, contentType: string, raw: string | Obj, o: WriteOpts = {}): Obj {
    const ct = contentType.split(";")[0].trim();
    const isApply = ct === "application/apply-patch+yaml" || ct === "application/apply-patch+json";
    if (o.force !== undefined && !isApply) throw invalid({ ...r, kind: "PatchOptions", group: "meta.k8s.io" }, "", [{ type: "FieldValueForbidden", field: "force", detail: "may not be specified for non-apply patch" }]);
    let body: unknown;
    try { body = typeof raw === "string" ? (isApply ? YAML.parse(raw) : JSON.parse(raw)) : raw; } catch (e) { throw badRequest(`error decoding patch: ${(e as Error).message}`); }
    if (isApply) return this.apply(r, ns, name, body as Obj, o);
    const old = this.store.get(r, ns, name);
    if (!old) throw notFound(r, name);
    let next: unknown;
    try {
      if (ct === "application/json-patch+json") next = jsonPatch(old, body);
      else if (ct === "application/merge-patch+json") { if (!isObj(body)) throw badRequest("patch must be a JSON object"); next = mergePatch(old, body); }
      else if (ct === "application/strategic-merge-patch+json") { if (!isObj(body)) throw badRequest("patch must be a JSON object"); next = strategicMerge(old, body); }
      else throw unsupportedMedia(ct);
    } catch (e) {
      if (e instanceof StatusLikeError) throw new StatusError(422, "Invalid", `the server rejected our request due to an error in our request`, { causes: [{ reason: "FieldValueInvalid", message: e.message }] });
      throw e;
    }
    if (!isObj(next)) throw badRequest("patch produced a non-object");
    validateFields(r, next as Obj, o);
    const pm = (next as Obj).metadata ?? {};
    if (pm.resourceVersion && pm.resourceVersion !== old.metadata.resourceVersion) throw conflict(r, name);
    if (pm.name !== name) throw badRequest("metadata.name may not be changed by a patch");
    const mfChanged = !deepEqual(pm.managedFields, old.metadata.managedFields) ? pm.managedFields : undefined;
    return this.commit(r, old, next as Obj, o, "Update", mfChanged);
  }

  // ---------------------------------------------------------------------------------------------------- server-side apply
  apply(r: ResourceDef, ns: string | undefined, name: string, intent: Obj, o: WriteOpts): Obj {
    if (!o.fieldManager) throw invalid({ ...r, kind: "PatchOptions", group: "meta.k8s.io" }, "", [{ type: "FieldValueRequired", field: "fieldManager", detail: "is required for apply patch" }]);
    if (!isObj(intent)) throw badRequest("apply patch must be an object");
    if (intent.apiVersion !== gv(r) || intent.kind !== r.kind) {
      const k = intent.apiVersion && intent.kind ? byKind(intent.apiVersion, intent.kind) : undefined;
      if (!k || k !== r) throw badRequest(`apiVersion and kind must be ${gv(r)}, ${r.kind}; got ${intent.apiVersion ?? ""}, ${intent.kind ?? ""}`);
    }
    if (intent.metadata?.name && intent.metadata.name !== name) throw badRequest(`the name of the object (${intent.metadata.name}) does not match the name on the URL (${name})`);
    if (intent.metadata?.managedFields !== undefined) throw badRequest("metadata.managedFields must be nil");
    const sub = o.subresource;
    const cleanIntent = clone(intent);
    if (o.fieldValidation && !sub) {
      // structured-merge-diff: the applied configuration is typed against the schema first
      const unknown = unknownFields(r, cleanIntent, o.fieldValidation !== "Strict");
      if (unknown.length && o.fieldValidation === "Strict")
        throw badRequest(`failed to create typed patch object (${ns ? `${ns}/` : ""}${name}; ${gv(r)}, Kind=${r.kind}): ${unknown.map((u) => `${u.smd}: field not declared in schema`).join(", ")}`);
      if (o.fieldValidation === "Warn") o.warnings?.push(...unknown.map((u) => `${u.smd}: field not declared in schema`));
    }
    const meta = cleanIntent.metadata ?? {};
    const precondRv = meta.resourceVersion;
    cleanIntent.metadata = {};
    for (const k of ["labels", "annotations", "ownerReferences", "finalizers"]) if (meta[k] !== undefined) cleanIntent.metadata[k] = meta[k];
    if (sub === "status") { for (const k of Object.keys(cleanIntent)) if (!["apiVersion", "kind", "metadata", "status"].includes(k)) delete cleanIntent[k]; cleanIntent.metadata = {}; }
    else if (r.status) delete cleanIntent.status;
    const old = this.store.get(r, ns, name);
    if (precondRv && (!old || precondRv !== old.metadata.resourceVersion)) throw conflict(r, name);
    const managerKey = { manager: o.fieldManager, operation: "Apply" as const, subresource: sub };
    const intentSet = fieldSet(cleanIntent, { mode: "apply", statusOnly: sub === "status" });
    if (!old) {
      if (sub) throw notFound(r, name);
      const createBody = clone(cleanIntent);
      createBody.metadata = { ...createBody.metadata, name, ...(r.namespaced ? { namespace: ns } : {}) };
      createBody.metadata.managedFields = [mfEntry(managerKey, intentSet, gv(r))];
      return this.create(r, ns, createBody, { ...o, fieldManager: o.fieldManager, fieldValidation: undefined });
    }
    const live = clone(old);
    const entries = parseEntries(old.metadata.managedFields);
    const merged = applyMerge(live, cleanIntent) as Obj;
    merged.metadata = { ...live.metadata, ...merged.metadata };
    const changed = sub === "status" ? diffPaths({ status: live.status }, { status: merged.status }) : diffPaths(live, merged);
    const conflicts: { manager: MfEntry; path: string[] }[] = [];
    for (const e of entries) {
      if (sameManager(e.entry, managerKey)) continue;
      for (const c of changed) if (e.set.has(c)) conflicts.push({ manager: e.entry, path: dec(c) });
    }
    if (conflicts.length && !o.force) throw applyConflict(conflicts);
    if (o.force) for (const c of conflicts) for (const e of entries) if (e.entry === c.manager) e.set.delete(JSON.stringify(c.path));
    // fields the applier no longer claims: removed unless someone else owns them
    const mine = entries.find((e) => sameManager(e.entry, managerKey));
    if (mine) {
      const dropped = [...mine.set].filter((p) => !intentSet.has(p)).map(dec).sort((a, b) => b.length - a.length);
      for (const p of dropped) {
        const ps = JSON.stringify(p).slice(0, -1);
        const ownedByOther = entries.some((e) => e !== mine && [...e.set].some((q) => q === JSON.stringify(p) || q.startsWith(ps + ",")));
        if (!ownedByOther && hasPath(merged, p)) removePath(merged, p);
      }
      mine.set = new Set(intentSet);
      mine.entry.time = ts();
    } else entries.push({ entry: { ...mfEntry(managerKey, intentSet, gv(r)) }, set: new Set(intentSet) });
    for (const e of entries) if (e.entry.operation === "Update") for (const c of changed) if (!intentSet.has(c)) { /* updates keep their fields */ }
    merged.metadata.managedFields = serializeEntries(entries);
    return this.commit(r, old, merged, o, "ApplyDone");
  }

  // ---------------------------------------------------------------------------------------------------- common write path
  private commit(r: ResourceDef, old: Obj, next: Obj, o: WriteOpts, op: "Update" | "ApplyDone", bodyMf?: unknown): Obj {
    const sub = o.subresource;
    next.metadata ??= {};
    // immutable/system metadata comes from the stored object
    for (const k of ["uid", "creationTimestamp", "namespace", "name", "generation", "deletionTimestamp", "deletionGracePeriodSeconds"]) {
      if (old.metadata[k] === undefined) delete next.metadata[k]; else next.metadata[k] = old.metadata[k];
    }
    if (sub === "status") {
      const keepStatus = next.status;
      const base = clone(old);
      base.status = keepStatus;
      if (op === "ApplyDone") base.metadata.managedFields = next.metadata.managedFields;
      next = base;
    } else if (r.status && r.plural !== "namespaces") next.status = clone(old.status);
    if (!sub) this.defaults(r, next, old);
    this.validate(r, next, old);
    if (op === "Update") {
      const manager = o.fieldManager ?? managerFromUA(o.userAgent);
      let entries = parseEntries(old.metadata.managedFields);
      if (Array.isArray(bodyMf) && bodyMf.length === 1 && isObj(bodyMf[0]) && Object.keys(bodyMf[0]).length === 0) entries = [];
      next.metadata.managedFields = updateManaged(serializeEntries(entries), old, next, manager, gv(r), sub);
    }
    this.admit(r, next);
    if (r.hasSpec && !sub && !deepEqual(old.spec, next.spec)) next.metadata.generation = (old.metadata.generation ?? 1) + 1;
    if (deepEqual(stripVolatile(old), stripVolatile(next))) return old; // no-op write: no new resourceVersion
    if (o.dryRun) { next.metadata.resourceVersion = old.metadata.resourceVersion; return order(next); }
    next.metadata.resourceVersion = String(this.store.nextRv());
    if (r.plural === "services") { this.allocated.add(next.spec?.clusterIP); }
    this.store.put(r, order(next), "MODIFIED", old);
    this.onWrite();
    return next;
  }

  // ---------------------------------------------------------------------------------------------------- delete
  delete(r: ResourceDef, ns: string | undefined, name: string, opts: { dryRun?: boolean; propagationPolicy?: string; gracePeriodSeconds?: number; preconditions?: Obj; orphanDependents?: boolean } = {}): Obj {
    const old = this.store.get(r, ns, name);
    if (!old) throw notFound(r, name);
    if (opts.preconditions?.uid && opts.preconditions.uid !== old.metadata.uid) throw conflict(r, name, `Precondition failed: UID in precondition: ${opts.preconditions.uid}, UID in object meta: ${old.metadata.uid}`);
    if (opts.preconditions?.resourceVersion && opts.preconditions.resourceVersion !== old.metadata.resourceVersion) throw conflict(r, name, `Precondition failed: ResourceVersion in precondition: ${opts.preconditions.resourceVersion}, ResourceVersion in object meta: ${old.metadata.resourceVersion}`);
    const policy = opts.propagationPolicy ?? (opts.orphanDependents ? "Orphan" : r.plural === "jobs" ? "Orphan" : "Background");
    const success = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Success", details: { name, ...(r.group ? { group: r.group } : {}), kind: r.plural, uid: old.metadata.uid } };
    if (opts.dryRun) return r.plural === "pods" ? old : success;
    if (r.plural === "pods" && opts.gracePeriodSeconds !== 0 && old.spec?.nodeName && old.status?.phase !== "Succeeded" && old.status?.phase !== "Failed") {
      if (old.metadata.deletionTimestamp) return old;
      const grace = opts.gracePeriodSeconds ?? old.spec?.terminationGracePeriodSeconds ?? 30;
      const next = clone(old);
      next.metadata.deletionTimestamp = ts(Date.now() + grace * 1000);
      next.metadata.deletionGracePeriodSeconds = grace;
      next.metadata.resourceVersion = String(this.store.nextRv());
      this.store.put(r, next, "MODIFIED", old);
      this.onWrite();
      return next;
    }
    if (r.plural === "namespaces") {
      if (old.status?.phase === "Terminating") return old;
      const next = clone(old);
      next.metadata.deletionTimestamp = ts();
      next.status = { phase: "Terminating" };
      next.metadata.resourceVersion = String(this.store.nextRv());
      this.store.put(r, next, "MODIFIED", old);
      this.onWrite();
      return next;
    }
    if (policy === "Foreground") {
      const next = clone(old);
      next.metadata.deletionTimestamp ??= ts();
      next.metadata.finalizers = [...new Set([...(next.metadata.finalizers ?? []), "foregroundDeletion"])];
      next.metadata.resourceVersion = String(this.store.nextRv());
      this.store.put(r, next, "MODIFIED", old);
      this.onWrite();
      return next;
    }
    if (policy === "Orphan") this.orphan(old);
    this.remove(r, old);
    return success;
  }

  /** Final removal from the store. */
  remove(r: ResourceDef, old: Obj) {
    const gone = clone(old);
    gone.metadata.resourceVersion = String(this.store.nextRv());
    if (r.plural === "services") this.allocated.delete(old.spec?.clusterIP);
    this.store.put(r, gone, "DELETED");
    this.onWrite();
  }

  private orphan(owner: Obj) {
    for (const rr of DEPENDENT_KINDS) {
      for (const d of this.store.list(res(rr[0], rr[1]), owner.metadata.namespace)) {
        if ((d.metadata.ownerReferences ?? []).some((x: Obj) => x.uid === owner.metadata.uid)) {
          const next = clone(d);
          next.metadata.ownerReferences = d.metadata.ownerReferences.filter((x: Obj) => x.uid !== owner.metadata.uid);
          if (!next.metadata.ownerReferences.length) delete next.metadata.ownerReferences;
          next.metadata.resourceVersion = String(this.store.nextRv());
          this.store.put(res(rr[0], rr[1]), next, "MODIFIED", d);
        }
      }
    }
  }

  // ---------------------------------------------------------------------------------------------------- internal writes by controllers
  /** Controller write of the status subresource (manager e.g. kube-controller-manager / kubelet). */
  writeStatus(r: ResourceDef, obj: Obj, status: Obj, manager = "kube-controller-manager"): Obj {
    const cur = this.store.get(r, obj.metadata.namespace, obj.metadata.name);
    if (!cur) return obj;
    if (deepEqual(cur.status, status)) return cur;
    const next = clone(cur);
    next.status = status;
    return this.commit(r, cur, next, { fieldManager: manager, subresource: r.status ? "status" : undefined }, "Update");
  }
  /** Controller write of the main resource (spec/metadata). */
  writeSpec(r: ResourceDef, cur: Obj, mutate: (o: Obj) => void, manager = "kube-controller-manager"): Obj {
    const fresh = this.store.get(r, cur.metadata.namespace, cur.metadata.name);
    if (!fresh) return cur;
    const next = clone(fresh);
    mutate(next);
    if (deepEqual(next, fresh)) return fresh;
    return this.commit(r, fresh, next, { fieldManager: manager }, "Update");
  }

  // ---------------------------------------------------------------------------------------------------- defaults
  allocated = new Set<string | undefined>();
  private allocateClusterIP(): string {
    // dynamic allocation prefers the upper band; 10.96.0.0/12 minus the static lower 256 addresses
    for (let i = 0; i < 100000; i++) {
      const n = 256 + 1 + Math.floor(Math.random() * (1048576 - 258));
      const ip = `10.${96 + (n >> 16)}.${(n >> 8) & 255}.${n & 255}`;
      if (!this.allocated.has(ip)) return ip;
    }
    throw new StatusError(500, "InternalError", "range is full");
  }

  private defaults(r: ResourceDef, o: Obj, old: Obj | undefined) {
    const spec = o.spec;
    switch (r.plural) {
      case "services": {
        if (!spec) break;
        spec.type ??= "ClusterIP";
        spec.sessionAffinity ??= "None";
        spec.ipFamilies ??= ["IPv4"];
        spec.ipFamilyPolicy ??= "SingleStack";
        spec.internalTrafficPolicy ??= "Cluster";
        if (old) {
          if (spec.clusterIP === undefined || spec.clusterIP === "") spec.clusterIP = old.spec.clusterIP;
          if (spec.clusterIPs === undefined) spec.clusterIPs = old.spec.clusterIPs;
        } else if (spec.clusterIP === undefined || spec.clusterIP === "") spec.clusterIP = this.allocateClusterIP();
        spec.clusterIPs ??= [spec.clusterIP];
        for (const p of spec.ports ?? []) { p.protocol ??= "TCP"; p.targetPort ??= p.port; }
        if (spec.type === "LoadBalancer" || spec.type === "NodePort") {
          spec.externalTrafficPolicy ??= "Cluster";
          for (const p of spec.ports ?? []) p.nodePort ??= old?.spec?.ports?.find((q: Obj) => q.port === p.port && q.protocol === p.protocol)?.nodePort ?? 30000 + Math.floor(Math.random() * 2767);
          if (spec.type === "LoadBalancer") spec.allocateLoadBalancerNodePorts ??= true;
          if (spec.externalTrafficPolicy === "Local") spec.healthCheckNodePort ??= old?.spec?.healthCheckNodePort ?? 30000 + Math.floor(Math.random() * 2767);
        }
        o.status ??= { loadBalancer: {} };
        break;
      }
      case "pods": podSpecDefaults(spec); o.status ??= { phase: "Pending", qosClass: "Burstable" }; break;
      case "deployments": {
        if (!spec) break;
        spec.replicas ??= 1;
        // apps/v1 SetDefaults_Deployment: an empty strategy type becomes RollingUpdate, then its two bounds
        spec.strategy ??= {};
        spec.strategy.type ||= "RollingUpdate";
        if (spec.strategy.type === "RollingUpdate") spec.strategy.rollingUpdate = { maxUnavailable: "25%", maxSurge: "25%", ...(spec.strategy.rollingUpdate ?? {}) };
        spec.revisionHistoryLimit ??= 10;
        spec.progressDeadlineSeconds ??= 600;
        podSpecDefaults(spec.template?.spec);
        break;
      }
      case "replicasets": if (spec) spec.replicas ??= 1; podSpecDefaults(spec?.template?.spec); break;
      case "daemonsets": {
        if (!spec) break;
        // apps/v1 SetDefaults_DaemonSet: `rollingUpdate` without `type` (the upstream nodelocaldns manifest) still
        // gets type RollingUpdate, then maxUnavailable 1 / maxSurge 0 where unset
        spec.updateStrategy ??= {};
        spec.updateStrategy.type ||= "RollingUpdate";
        if (spec.updateStrategy.type === "RollingUpdate") spec.updateStrategy.rollingUpdate = { maxUnavailable: 1, maxSurge: 0, ...(spec.updateStrategy.rollingUpdate ?? {}) };
        spec.revisionHistoryLimit ??= 10;
        podSpecDefaults(spec.template?.spec);
        break;
      }
      case "jobs": {
        if (!spec) break;
        spec.parallelism ??= 1;
        spec.completions ??= 1;
        spec.backoffLimit ??= 6;
        spec.completionMode ??= "NonIndexed";
        spec.suspend ??= false;
        spec.podReplacementPolicy ??= "TerminatingOrFailed";
        spec.manualSelector ??= undefined;
        if (!old && spec.template) {
          const u = (o.metadata.uid ??= uid());
          spec.selector ??= { matchLabels: { "batch.kubernetes.io/controller-uid": u } };
          spec.template.metadata ??= {};
          spec.template.metadata.labels = { "batch.kubernetes.io/controller-uid": u, "batch.kubernetes.io/job-name": o.metadata.name, "controller-uid": u, "job-name": o.metadata.name, ...(spec.template.metadata.labels ?? {}) };
          o.metadata.labels = { "batch.kubernetes.io/controller-uid": u, "batch.kubernetes.io/job-name": o.metadata.name, "controller-uid": u, "job-name": o.metadata.name, ...(o.metadata.labels ?? {}) };
        }
        podSpecDefaults(spec.template?.spec);
        break;
      }
      case "cronjobs": {
        if (!spec) break;
        spec.concurrencyPolicy ??= "Allow";
        spec.suspend ??= false;
        spec.successfulJobsHistoryLimit ??= 3;
        spec.failedJobsHistoryLimit ??= 1;
        podSpecDefaults(spec.jobTemplate?.spec?.template?.spec);
        break;
      }
      case "namespaces":
        o.metadata.labels = { ...(o.metadata.labels ?? {}), "kubernetes.io/metadata.name": o.metadata.name };
        o.spec ??= { finalizers: ["kubernetes"] };
        o.status ??= { phase: "Active" };
        break;
      case "persistentvolumeclaims": if (spec) spec.volumeMode ??= "Filesystem"; o.status ??= { phase: "Pending" }; break;
      case "events": if (r.group === "") { o.count ??= 1; o.firstTimestamp ??= ts(); o.lastTimestamp ??= o.firstTimestamp; o.type ??= "Normal"; o.source ??= {}; } break;
    }
  }

  // ---------------------------------------------------------------------------------------------------- validation (422)
  private validate(r: ResourceDef, o: Obj, old: Obj | undefined) {
    const name = o.metadata.name as string;
    const errs: { type: string; field: string; detail: string; value?: unknown }[] = [];
    const nameRe = ["services", "namespaces"].includes(r.plural) ? DNS1035 : DNS1123;
    const maxLen = ["services", "namespaces"].includes(r.plural) ? 63 : 253;
    if (!old && r.plural !== "events") {
      if (name.length > maxLen) errs.push({ type: "FieldValueInvalid", field: "metadata.name", value: name, detail: `must be no more than ${maxLen} characters` });
      else if (!nameRe.test(name)) errs.push({ type: "FieldValueInvalid", field: "metadata.name", value: name, detail: r.plural === "services" ? "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')" : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')" });
    }
    for (const [k, v] of Object.entries(o.metadata.labels ?? {})) if (typeof v === "string" && v.length > 63) errs.push({ type: "FieldValueInvalid", field: `metadata.labels.${k}`, value: v, detail: "must be no more than 63 characters" });
    const podSpec = (path: string, ps: Obj | undefined) => {
      if (!ps) { errs.push({ type: "FieldValueRequired", field: path, detail: "" }); return; }
      if (!Array.isArray(ps.containers) || ps.containers.length === 0) errs.push({ type: "FieldValueRequired", field: `${path}.containers`, detail: "" });
      (ps.containers ?? []).forEach((c: Obj, i: number) => {
        if (!c.name) errs.push({ type: "FieldValueRequired", field: `${path}.containers[${i}].name`, detail: "" });
        if (!c.image) errs.push({ type: "FieldValueRequired", field: `${path}.containers[${i}].image`, detail: "" });
      });
    };
    switch (r.plural) {
      case "services":
        if (old && old.spec.clusterIP && o.spec.clusterIP !== old.spec.clusterIP && old.spec.type !== "ExternalName") {
          errs.push({ type: "FieldValueInvalid", field: "spec.clusterIPs[0]", value: [o.spec.clusterIP], detail: "may not change once set" });
        } else if (!old && o.spec.clusterIP && o.spec.clusterIP !== "None") {
          if (!/^10\.(9[6-9]|10[0-9]|11[01])\.\d+\.\d+$/.test(o.spec.clusterIP)) errs.push({ type: "FieldValueInvalid", field: "spec.clusterIPs", value: [o.spec.clusterIP], detail: `failed to allocate IP ${o.spec.clusterIP}: the provided IP (${o.spec.clusterIP}) is not in the valid range. The range of valid IPs is 10.96.0.0/12` });
          else if (this.allocated.has(o.spec.clusterIP)) errs.push({ type: "FieldValueInvalid", field: "spec.clusterIPs", value: [o.spec.clusterIP], detail: `failed to allocate IP ${o.spec.clusterIP}: provided IP is already allocated` });
        }
        break;
      case "jobs":
        if (!old && name.length > 63) {
          errs.length = 0;
          errs.push({ type: "FieldValueInvalid", field: "metadata.labels", value: name, detail: "must be no more than 63 characters" });
          errs.push({ type: "FieldValueInvalid", field: "spec.template.labels", value: name, detail: "must be no more than 63 characters" });
        }
        podSpec("spec.template.spec", o.spec?.template?.spec);
        if (old && !deepEqual(old.spec.template, o.spec.template)) errs.push({ type: "FieldValueInvalid", field: "spec.template", value: "core.PodTemplateSpec{...}", detail: "field is immutable" });
        break;
      case "deployments": case "daemonsets": case "replicasets":
        podSpec("spec.template.spec", o.spec?.template?.spec);
        if (!o.spec?.selector) errs.push({ type: "FieldValueRequired", field: "spec.selector", detail: "" });
        else if (old && !deepEqual(old.spec.selector, o.spec.selector)) errs.push({ type: "FieldValueInvalid", field: "spec.selector", value: "v1.LabelSelector{...}", detail: "field is immutable" });
        else {
          const ml = o.spec.selector.matchLabels ?? {};
          const tl = o.spec.template?.metadata?.labels ?? {};
          if (!Object.entries(ml).every(([k, v]) => tl[k] === v)) errs.push({ type: "FieldValueInvalid", field: "spec.template.metadata.labels", value: tl, detail: "`selector` does not match template `labels`" });
        }
        if (r.plural === "deployments" && o.spec?.strategy?.type === "Recreate" && o.spec.strategy.rollingUpdate) errs.push({ type: "FieldValueForbidden", field: "spec.strategy.rollingUpdate", detail: "may not be specified when strategy `type` is 'Recreate'" });
        break;
      case "cronjobs":
        if (!old && name.length > 52) errs.push({ type: "FieldValueInvalid", field: "metadata.name", value: name, detail: "must be no more than 52 characters" });
        if (!o.spec?.schedule) errs.push({ type: "FieldValueRequired", field: "spec.schedule", detail: "" });
        podSpec("spec.jobTemplate.spec.template.spec", o.spec?.jobTemplate?.spec?.template?.spec);
        break;
      case "pods":
        podSpec("spec", o.spec);
        if (old && old.spec.nodeName && old.spec.nodeName !== o.spec.nodeName) errs.push({ type: "FieldValueForbidden", field: "spec", detail: "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)" });
        break;
      case "configmaps":
        for (const k of Object.keys(o.data ?? {})) if (!/^[-._a-zA-Z0-9]+$/.test(k)) errs.push({ type: "FieldValueInvalid", field: "data", value: k, detail: "a valid config key must consist of alphanumeric characters, '-', '_' or '.'" });
        if (old?.immutable && !deepEqual(old.data, o.data)) errs.push({ type: "FieldValueForbidden", field: "data", detail: "field is immutable when `immutable` is set" });
        break;
    }
    if (errs.length) throw invalid(r, name, errs);
  }

  // ---------------------------------------------------------------------------------------------------- admission (Kyverno-style)
  private admit(r: ResourceDef, o: Obj) {
    if (!this.hooks.admissionNdots) return;
    const add = (ps: Obj | undefined) => {
      if (!ps) return;
      if (ps.dnsPolicy === "Default" && false) return;
      ps.dnsConfig ??= {};
      ps.dnsConfig.options ??= [];
      if (!ps.dnsConfig.options.some((x: Obj) => x.name === "ndots")) ps.dnsConfig.options.push({ name: "ndots", value: "2" });
    };
    if (r.plural === "pods") add(o.spec);
    if (r.plural === "deployments" || r.plural === "daemonsets") add(o.spec?.template?.spec);
  }
}

const DEPENDENT_KINDS: [string, string][] = [["pods", ""], ["replicasets", "apps"], ["controllerrevisions", "apps"], ["jobs", "batch"], ["endpointslices", "discovery.k8s.io"]];

export function podSpecDefaults(ps: Obj | undefined) {
  if (!ps) return;
  ps.restartPolicy ??= "Always";
  ps.terminationGracePeriodSeconds ??= 30;
  ps.dnsPolicy ??= "ClusterFirst";
  ps.securityContext ??= {};
  ps.schedulerName ??= "default-scheduler";
  // v1 conversion mirrors serviceAccountName into the deprecated serviceAccount field on every read
  if (ps.serviceAccountName && !ps.serviceAccount) ps.serviceAccount = ps.serviceAccountName;
  for (const c of [...(ps.containers ?? []), ...(ps.initContainers ?? [])]) {
    c.terminationMessagePath ??= "/dev/termination-log";
    c.terminationMessagePolicy ??= "File";
    c.imagePullPolicy ??= /:latest$|^[^:]+$/.test(c.image ?? "") ? "Always" : "IfNotPresent";
    c.resources ??= {};
    for (const p of c.ports ?? []) {
      p.protocol ??= "TCP";
      if (ps.hostNetwork) p.hostPort ??= p.containerPort; // SetDefaults_PodSpec: defaultHostNetworkPorts
    }
    for (const pr of [c.livenessProbe, c.readinessProbe, c.startupProbe]) if (pr) { pr.timeoutSeconds ??= 1; pr.periodSeconds ??= 10; pr.successThreshold ??= 1; pr.failureThreshold ??= 3; if (pr.httpGet) pr.httpGet.scheme ??= "HTTP"; }
  }
  for (const v of ps.volumes ?? []) if (v.configMap) v.configMap.defaultMode ??= 420;
}

// ---------------------------------------------------------------------------------------------------- managedFields helpers
function managerFromUA(ua: string | undefined): string {
  if (!ua) return "unknown";
  return ua.split("/")[0] || "unknown";
}
function sameManager(e: Pick<MfEntry, "manager" | "operation" | "subresource">, k: Pick<MfEntry, "manager" | "operation" | "subresource">) {
  return e.manager === k.manager && e.operation === k.operation && (e.subresource ?? "") === (k.subresource ?? "");
}
function parseEntries(mf: unknown): { entry: MfEntry; set: PathSet }[] {
  if (!Array.isArray(mf)) return [];
  return mf.filter((e) => isObj(e) && e.manager !== undefined).map((e) => ({ entry: clone(e) as MfEntry, set: fromFieldsV1(e.fieldsV1) }));
}
function serializeEntries(list: { entry: MfEntry; set: PathSet }[]): MfEntry[] {
  return list.filter((e) => e.set.size > 0).map((e) => ({ ...e.entry, fieldsType: "FieldsV1", fieldsV1: toFieldsV1(e.set) }));
}
function mfEntry(k: { manager: string; operation: "Apply" | "Update"; subresource?: string }, set: PathSet, apiVersion: string): MfEntry {
  return { manager: k.manager, operation: k.operation, apiVersion, time: ts(), fieldsType: "FieldsV1", fieldsV1: toFieldsV1(set), ...(k.subresource ? { subresource: k.subresource } : {}) };
}
/** Non-apply write: the writer takes every field it changed; other managers lose them. */
function updateManaged(current: MfEntry[], old: Obj | undefined, next: Obj, manager: string, apiVersion: string, subresource?: string): MfEntry[] {
  const entries = parseEntries(current);
  const status = subresource === "status";
  const changed = status ? diffPaths({ status: old?.status }, { status: next.status }) : diffPaths(old ?? {}, next);
  for (const c of [...changed]) {
    const isStatus = c.startsWith('["f:status"');
    if (status !== isStatus) changed.delete(c);
  }
  if (changed.size === 0) return serializeEntries(entries);
  const prefixes = [...changed].map((c) => c.slice(0, -1));
  for (const e of entries) for (const p of [...e.set]) if (changed.has(p) || prefixes.some((c) => p.startsWith(c + ","))) e.set.delete(p);
  const key = { manager, operation: "Update" as const, subresource };
  let mine = entries.find((e) => sameManager(e.entry, key));
  if (!mine) { mine = { entry: mfEntry(key, new Set(), apiVersion), set: new Set() }; entries.push(mine); }
  for (const c of changed) {
    const p = dec(c);
    if (!hasPath(next, p)) continue;
    mine.set.add(c);
    // nodes that this write created get the "." marker
    for (let i = 2; i < p.length; i++) {
      const anc = p.slice(0, i);
      const name = anc[anc.length - 1];
      if (["f:spec", "f:template", "f:status", "f:metadata"].includes(name)) continue;
      if (p[i].startsWith("k:") || p[i].startsWith("v:")) continue; // list nodes carry no "." marker
      if (anc[anc.length - 1].startsWith("k:") || !hasPath(old ?? {}, anc)) mine.set.add(JSON.stringify(anc));
    }
  }
  mine.entry.time = ts();
  mine.entry.apiVersion = apiVersion;
  return serializeEntries(entries);
}

function applyConflict(conflicts: { manager: MfEntry; path: string[] }[]) {
  const printManager = (m: MfEntry) => {
    let s = JSON.stringify(m.manager);
    if (m.subresource) s += ` with subresource ${JSON.stringify(m.subresource)}`;
    if (m.operation === "Update") s += m.time ? ` using ${m.apiVersion} at ${m.time}` : ` using ${m.apiVersion}`;
    return s;
  };
  const causes = conflicts.map((c) => ({ reason: "FieldManagerConflict", message: `conflict with ${printManager(c.manager)}`, field: pathString(c.path) }));
  let message: string;
  if (conflicts.length === 1) message = `Apply failed with 1 conflict: conflict with ${printManager(conflicts[0].manager)}: ${pathString(conflicts[0].path)}`;
  else {
    const by = new Map<string, string[]>();
    for (const c of conflicts) {
      const k = printManager(c.manager);
      by.set(k, [...(by.get(k) ?? []), pathString(c.path)]);
    }
    const parts: string[] = [];
    for (const k of [...by.keys()].sort()) { parts.push(`conflicts with ${k}:`); for (const p of by.get(k)!) parts.push(`- ${p}`); }
    message = `Apply failed with ${conflicts.length} conflicts: ${parts.join("\n")}`;
  }
  return new StatusError(409, "Conflict", message, { causes });
}

function stripVolatile(o: Obj): Obj {
  const c = clone(o);
  delete c.metadata.resourceVersion;
  c.metadata.managedFields = (c.metadata.managedFields ?? []).map((m: Obj) => ({ ...m, time: undefined }));
  return c;
}
/** Key order as the API server writes it: apiVersion, kind, metadata, spec/data…, status last. */
function order(o: Obj): Obj {
  const out: Obj = { apiVersion: o.apiVersion, kind: o.kind, metadata: orderMeta(o.metadata) };
  for (const k of Object.keys(o)) if (!["apiVersion", "kind", "metadata", "status"].includes(k)) out[k] = o[k];
  if (o.status !== undefined) out.status = o.status;
  return out;
}
function orderMeta(m: Obj): Obj {
  const keys = ["name", "generateName", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers", "managedFields"];
  const out: Obj = {};
  for (const k of keys) if (m[k] !== undefined) out[k] = m[k];
  for (const k of Object.keys(m)) if (!(k in out) && m[k] !== undefined) out[k] = m[k];
  return out;
}
