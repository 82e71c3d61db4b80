// Pure helpers (no I/O): strip server-filled fields, compare objects field by field, read managedFields (FieldsV1)
// to say who owns a field, and render a readable YAML unified diff. Used by plan, apply and drift.
import { createTwoFilesPatch } from "diff";
import { stringify } from "yaml";

export type Obj = Record<string, unknown>;

/** A field path: object keys as strings, list items as the item itself (so FieldsV1 `k:{…}` keys can be matched). */
export type Seg = { key: string } | { item: unknown; index: number };

export interface ChangedField {
  /** Human path, e.g. `.spec.template.spec.containers[name=node-cache].image`. */
  path: string;
  change: "added" | "removed" | "changed";
  /** Managers that own this field in the live object; `[]` = nobody (e.g. set by a mutating webhook such as Kyverno). */
  owners: { manager: string; operation: string; time?: string }[];
}

const VOLATILE_META = ["managedFields", "resourceVersion", "generation", "uid", "creationTimestamp", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds"];
const VOLATILE_ANNOTATIONS = ["deployment.kubernetes.io/revision", "kubectl.kubernetes.io/last-applied-configuration", "deprecated.daemonset.template.generation"];

/** Plain JSON (model classes → plain objects, Dates → strings). */
export function plain<T = Obj>(o: unknown): T {
  return JSON.parse(JSON.stringify(o ?? null)) as T;
}

/** Remove what the server fills or changes by itself, so live and dry-run compare only what anyone intended. */
export function stripVolatile(input: unknown): Obj | null {
  if (!input) return null;
  const o = plain<Obj>(input);
  delete o.status;
  const meta = (o.metadata ?? {}) as Obj;
  for (const k of VOLATILE_META) delete meta[k];
  const ann = meta.annotations as Obj | undefined;
  if (ann) {
    for (const k of VOLATILE_ANNOTATIONS) delete ann[k];
    if (Object.keys(ann).length === 0) delete meta.annotations;
  }
  const spec = o.spec as Obj | undefined;
  if (o.kind === "Service" && spec) {
    delete spec.clusterIPs;
    delete spec.healthCheckNodePort;
    delete spec.ipFamilies;
    delete spec.ipFamilyPolicy;
    delete spec.internalTrafficPolicy;
    delete spec.sessionAffinity;
    // a ClusterIP we never pinned is server-allocated; a pinned one is compared (it is immutable)
    if (Array.isArray(spec.ports)) for (const p of spec.ports as Obj[]) delete p.nodePort;
  }
  if (spec?.template && typeof spec.template === "object") {
    const tm = ((spec.template as Obj).metadata ?? {}) as Obj;
    delete tm.creationTimestamp;
  }
  return o;
}

/** Remove the server-allocated ClusterIP when the intent does not pin one. */
export function alignAllocated(target: Obj | null, intent: Obj): Obj | null {
  if (!target) return target;
  if (intent.kind === "Service") {
    const want = (intent.spec as Obj | undefined)?.clusterIP;
    const spec = target.spec as Obj | undefined;
    if (spec && (want === undefined || want === null)) delete spec.clusterIP;
  }
  return target;
}

const MERGE_KEYS = ["name", "containerPort", "port", "mountPath", "key", "devicePath", "topologyKey", "ip"];

function mergeKeyOf(list: unknown[]): string | null {
  if (list.length === 0 || !list.every((x) => x && typeof x === "object" && !Array.isArray(x))) return null;
  for (const k of MERGE_KEYS) if (list.every((x) => (x as Obj)[k] !== undefined)) return k;
  return null;
}

function isObj(x: unknown): x is Obj {
  return !!x && typeof x === "object" && !Array.isArray(x);
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
}

function canonical(x: unknown): unknown {
  if (Array.isArray(x)) return x.map(canonical);
  if (isObj(x)) return Object.fromEntries(Object.keys(x).sort().map((k) => [k, canonical(x[k])]));
  return x;
}

export function pathString(segs: Seg[]): string {
  let s = "";
  for (const seg of segs) {
    if ("key" in seg) s += /^[A-Za-z0-9_]+$/.test(seg.key) ? `.${seg.key}` : `["${seg.key}"]`;
    else {
      const it = seg.item;
      const k = isObj(it) ? MERGE_KEYS.find((m) => it[m] !== undefined) : undefined;
      s += k ? `[${k}=${String((it as Obj)[k])}]` : `[${seg.index}]`;
    }
  }
  return s;
}

/** Leaf-level differences between `live` (before) and `next` (after). Lists of named items are paired by name. */
export function changedPaths(live: unknown, next: unknown, at: Seg[] = []): { segs: Seg[]; change: ChangedField["change"] }[] {
  if (same(live, next)) return [];
  if (live === undefined) return [{ segs: at, change: "added" }];
  if (next === undefined) return [{ segs: at, change: "removed" }];
  if (isObj(live) && isObj(next)) {
    const out: { segs: Seg[]; change: ChangedField["change"] }[] = [];
    for (const k of new Set([...Object.keys(live), ...Object.keys(next)])) out.push(...changedPaths(live[k], next[k], [...at, { key: k }]));
    return out;
  }
  if (Array.isArray(live) && Array.isArray(next)) {
    const mk = mergeKeyOf([...live, ...next]);
    if (mk) {
      const out: { segs: Seg[]; change: ChangedField["change"] }[] = [];
      const keys = [...new Set([...live, ...next].map((x) => String((x as Obj)[mk])))];
      for (const key of keys) {
        const a = live.find((x) => String((x as Obj)[mk]) === key);
        const b = next.find((x) => String((x as Obj)[mk]) === key);
        const item = a ?? b;
        out.push(...changedPaths(a, b, [...at, { item, index: (a ? live : next).indexOf(item) }]));
      }
      return out;
    }
  }
  return [{ segs: at, change: "changed" }];
}

interface ManagedEntry {
  manager?: string;
  operation?: string;
  time?: string | Date;
  subresource?: string;
  fieldsV1?: unknown;
}

/** Does this FieldsV1 tree own `segs` (or an ancestor of it that is a leaf, e.g. an atomic list)? */
export function ownsPath(tree: unknown, segs: Seg[]): boolean {
  let node: unknown = tree;
  for (let i = 0; i < segs.length; i++) {
    if (!isObj(node)) return false;
    const seg = segs[i];
    let nextNode: unknown;
    if ("key" in seg) nextNode = node[`f:${seg.key}`];
    else nextNode = findItem(node, seg.item, seg.index);
    if (nextNode === undefined) return false;
    // a leaf `{}` (or one with only ".") owns everything below it (atomic lists/maps, scalars)
    if (isObj(nextNode) && Object.keys(nextNode).filter((k) => k !== ".").length === 0) return true;
    node = nextNode;
  }
  return true;
}

function findItem(node: Obj, item: unknown, index: number): unknown {
  for (const k of Object.keys(node)) {
    if (k.startsWith("k:")) {
      try {
        const key = JSON.parse(k.slice(2)) as Obj;
        if (isObj(item) && Object.entries(key).every(([kk, vv]) => String(item[kk]) === String(vv))) return node[k];
      } catch {
        /* not JSON */
      }
    } else if (k.startsWith("v:")) {
      try {
        if (same(JSON.parse(k.slice(2)), item)) return node[k];
      } catch {
        /* not JSON */
      }
    } else if (k === `i:${index}`) return node[k];
  }
  return undefined;
}

export function ownersOf(managedFields: unknown, segs: Seg[]): ChangedField["owners"] {
  if (!Array.isArray(managedFields)) return [];
  const out: ChangedField["owners"] = [];
  for (const e of managedFields as ManagedEntry[]) {
    if (e.subresource) continue;
    if (ownsPath(e.fieldsV1, segs))
      out.push({ manager: e.manager ?? "(unnamed)", operation: e.operation ?? "?", time: e.time ? new Date(e.time).toISOString() : undefined });
  }
  return out;
}

/** Changed fields between live and the would-be result, each with the live owners. */
export function describeChanges(liveRaw: unknown, liveStripped: Obj | null, next: Obj | null): ChangedField[] {
  const managed = isObj(liveRaw) ? (liveRaw.metadata as Obj | undefined)?.managedFields : undefined;
  return changedPaths(liveStripped ?? undefined, next ?? undefined).map(({ segs, change }) => ({
    path: pathString(segs) || "(whole object)",
    change,
    owners: ownersOf(managed, segs),
  }));
}

/** Readable per-object YAML unified diff ("" when equal). */
export function yamlDiff(name: string, before: Obj | null, after: Obj | null): string {
  const a = before ? stringify(canonical(before), { lineWidth: 0 }) : "";
  const b = after ? stringify(canonical(after), { lineWidth: 0 }) : "";
  if (a === b) return "";
  return createTwoFilesPatch(`live/${name}`, `planned/${name}`, a, b, undefined, undefined, { context: 3 });
}

/** Is this changed-field path at or below one of the ignored paths (`.a.b` covers `.a.b.c` and `.a.b[name=x]`)? */
export function isIgnoredPath(path: string, ignored: string[]): boolean {
  return ignored.some((p) => path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}[`));
}

/** Remove the ignored paths from an intent, so an apply never sets (or takes back) them. Returns a copy. */
export function withoutPaths<T>(o: T, paths: string[]): T {
  if (!paths.length) return o;
  const copy = structuredClone(o) as Obj;
  for (const p of paths) {
    const keys = p.split(".").slice(1);
    let node: unknown = copy;
    for (const k of keys.slice(0, -1)) node = isObj(node) ? node[k] : undefined;
    if (isObj(node)) delete node[keys[keys.length - 1]];
  }
  return copy as T;
}

/** Stable key of a rendered object: `Kind namespace/name` (same as k8s/types objectKey). */
export function objectKey(o: { kind?: string; metadata?: { name?: string; namespace?: string } }): string {
  return `${o.kind} ${o.metadata?.namespace ?? ""}/${o.metadata?.name}`;
}

/** Fields a mutating webhook adds (owned by nobody), which no apply can remove: shown as drift, never hidden. */
const ADMISSION_PATHS = [".spec.template.spec.dnsConfig", ".spec.dnsConfig"];

function leaves(x: unknown, at: Seg[], out: Seg[][]): void {
  if (isObj(x) && Object.keys(x).length) {
    for (const k of Object.keys(x)) leaves(x[k], [...at, { key: k }], out);
    return;
  }
  if (Array.isArray(x) && x.length && mergeKeyOf(x)) {
    x.forEach((item, index) => leaves(item, [...at, { item, index }], out));
    return;
  }
  out.push(at);
}

function hasPath(o: unknown, segs: Seg[]): boolean {
  let node: unknown = o;
  for (const seg of segs) {
    if ("key" in seg) {
      if (!isObj(node) || !(seg.key in node)) return false;
      node = node[seg.key];
    } else {
      if (!Array.isArray(node)) return false;
      const mk = mergeKeyOf(node.concat([seg.item]));
      const found = mk ? node.find((x) => String((x as Obj)[mk]) === String((seg.item as Obj)[mk])) : undefined;
      if (found === undefined) return false;
      node = found;
    }
  }
  return true;
}

/**
 * Drift that a dry-run diff cannot show because an apply would keep it: fields outside dnsdeck's intent that were
 * set after dnsdeck's last apply by another manager (a hand edit, kubeadm, Terraform), or by an admission webhook
 * (owned by nobody, e.g. Kyverno's dnsConfig). Empty until dnsdeck has applied the object once.
 */
export function externalFields(liveRaw: unknown, intent: Obj, ownManagers: string[]): ChangedField[] {
  if (!isObj(liveRaw)) return [];
  const managed = ((liveRaw.metadata as Obj | undefined)?.managedFields ?? []) as { manager?: string; operation?: string; time?: string; subresource?: string }[];
  const mine = managed.filter((e) => e.manager && ownManagers.includes(e.manager) && e.operation === "Apply" && !e.subresource);
  if (!mine.length) return [];
  const myTime = Math.max(...mine.map((e) => (e.time ? new Date(e.time).getTime() : 0)));
  const live = stripVolatile(liveRaw);
  const out: ChangedField[] = [];
  const all: Seg[][] = [];
  for (const top of ["spec", "data", "metadata"]) if (live && live[top] !== undefined) leaves(live[top], [{ key: top }], all);
  for (const segs of all) {
    const p = pathString(segs);
    if (p.startsWith(".metadata.") && !p.startsWith(".metadata.labels") && !p.startsWith(".metadata.annotations")) continue;
    if (hasPath(intent, segs)) continue;
    const owners = ownersOf(managed, segs).filter((o) => !ownManagers.includes(o.manager));
    if (owners.length) {
      // managedFields times have second precision: an edit in the same second as dnsdeck's apply still counts
      if (owners.some((o) => (o.time ? new Date(o.time).getTime() : 0) >= myTime)) out.push({ path: p, change: "added", owners });
    } else if (ADMISSION_PATHS.some((a) => p.startsWith(a)) && !ownersOf(managed, segs).length) {
      out.push({ path: p, change: "added", owners: [] });
    }
  }
  return out;
}
