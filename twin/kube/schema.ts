// Just enough of the Kubernetes OpenAPI list/map semantics for managedFields (structured-merge-diff) and
// strategic merge patch, for the fields the DNS stack uses. Paths are arrays of FieldsV1 keys:
// "f:<field>", 'k:{"name":"x"}' (list-map item), 'v:<json>' (set item).
import { badRequest } from "./errors";
import { clone, deepEqual, isObj, type Obj } from "./util";

export type ListType = { type: "map"; keys: string[] } | { type: "set" } | { type: "atomic" };

/** names = field names from the root down to (and including) the list field itself. */
export function listTypeOf(names: string[]): ListType {
  const f = names[names.length - 1];
  const parent = names[names.length - 2];
  switch (f) {
    case "containers": case "initContainers": case "ephemeralContainers": case "volumes": case "env":
    case "imagePullSecrets": case "containerStatuses": case "initContainerStatuses":
      return { type: "map", keys: ["name"] };
    case "ports":
      if (names.includes("containers") || names.includes("initContainers")) return { type: "map", keys: ["containerPort", "protocol"] };
      if (names[0] === "spec") return { type: "map", keys: ["port", "protocol"] };
      return { type: "atomic" };
    case "volumeMounts": return { type: "map", keys: ["mountPath"] };
    case "conditions": return { type: "map", keys: ["type"] };
    case "ownerReferences": return { type: "map", keys: ["uid"] };
    case "finalizers": return parent === "metadata" ? { type: "set" } : { type: "atomic" };
    case "hostAliases": return { type: "map", keys: ["ip"] };
    case "topologySpreadConstraints": return { type: "map", keys: ["topologyKey", "whenUnsatisfiable"] };
    case "addresses": return names.includes("status") && names[0] === "status" ? { type: "map", keys: ["type"] } : { type: "atomic" };
    default: return { type: "atomic" };
  }
}

/** Struct/map fields owned as a whole. */
function atomicStruct(names: string[]): boolean {
  const f = names[names.length - 1];
  if (f === "selector" && names.length === 2 && names[0] === "spec") return true; // LabelSelector (and Service selector, mapType=atomic)
  if (f === "matchLabels" || f === "labelSelector") return true;
  return false;
}

/** Top-level fields that managedFields track for the main resource. */
function trackedTop(obj: Obj, includeStatus: boolean): string[] {
  return Object.keys(obj).filter((k) => !["apiVersion", "kind", "metadata", "status"].includes(k) || (k === "status" && includeStatus));
}
const TRACKED_META = ["labels", "annotations", "ownerReferences", "finalizers"];

export const keyOfItem = (item: Obj, keys: string[]) => {
  const o: Obj = {};
  for (const k of keys) if (item[k] !== undefined) o[k] = item[k];
  if (keys.includes("protocol") && o.protocol === undefined) o.protocol = "TCP";
  return "k:" + JSON.stringify(o);
};
const itemMatches = (item: Obj, pk: string, keys: string[]) => isObj(item) && keyOfItem(item, keys) === pk;

export type PathSet = Set<string>; // JSON-encoded path arrays
const enc = (p: string[]) => JSON.stringify(p);
export const dec = (s: string) => JSON.parse(s) as string[];

/** Field set of an object. mode "apply": leaves + list items; "update": also map/struct nodes. */
export function fieldSet(obj: Obj, opts: { status?: boolean; statusOnly?: boolean; mode: "apply" | "update" }): PathSet {
  const out: PathSet = new Set();
  const walk = (v: unknown, path: string[], names: string[]) => {
    if (Array.isArray(v)) {
      const lt = listTypeOf(names);
      if (lt.type === "atomic") { out.add(enc(path)); return; }
      for (const item of v) {
        if (lt.type === "set") { out.add(enc([...path, "v:" + JSON.stringify(item)])); continue; }
        if (!isObj(item)) continue;
        const ip = [...path, keyOfItem(item, lt.keys)];
        out.add(enc(ip));
        for (const [k, cv] of Object.entries(item)) walk(cv, [...ip, "f:" + k], [...names, k]);
      }
      return;
    }
    if (isObj(v) && Object.keys(v).length > 0 && !atomicStruct(names)) {
      if (opts.mode === "update" && path.length > 1 && !(path.length === 1)) out.add(enc(path));
      for (const [k, cv] of Object.entries(v)) walk(cv, [...path, "f:" + k], [...names, k]);
      return;
    }
    out.add(enc(path));
  };
  if (opts.statusOnly) {
    if (obj.status !== undefined) walk(obj.status, ["f:status"], ["status"]);
    return out;
  }
  for (const mk of TRACKED_META) if (obj.metadata?.[mk] !== undefined) {
    const v = obj.metadata[mk];
    if (isObj(v) && Object.keys(v).length === 0) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    walk(v, ["f:metadata", "f:" + mk], ["metadata", mk]);
  }
  for (const k of trackedTop(obj, !!opts.status)) walk(obj[k], ["f:" + k], [k]);
  return out;
}

/** Leaf-level paths whose values differ between a and b (plus item paths of added/removed list items). */
export function diffPaths(a: unknown, b: unknown, path: string[] = [], names: string[] = [], out: PathSet = new Set()): PathSet {
  if (path.length === 0) {
    const ao = (a ?? {}) as Obj, bo = (b ?? {}) as Obj;
    for (const mk of TRACKED_META) diffPaths(ao.metadata?.[mk], bo.metadata?.[mk], ["f:metadata", "f:" + mk], ["metadata", mk], out);
    const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
    for (const k of keys) if (!["apiVersion", "kind", "metadata"].includes(k)) diffPaths(ao[k], bo[k], ["f:" + k], [k], out);
    return out;
  }
  if (deepEqual(a, b)) return out;
  if (Array.isArray(a) || Array.isArray(b)) {
    const lt = listTypeOf(names);
    if (lt.type === "atomic" || (a !== undefined && !Array.isArray(a)) || (b !== undefined && !Array.isArray(b))) { out.add(enc(path)); return out; }
    const aa = (a ?? []) as unknown[], bb = (b ?? []) as unknown[];
    if (lt.type === "set") {
      const as = new Set(aa.map((x) => JSON.stringify(x))), bs = new Set(bb.map((x) => JSON.stringify(x)));
      for (const x of new Set([...as, ...bs])) if (as.has(x) !== bs.has(x)) out.add(enc([...path, "v:" + x]));
      return out;
    }
    const ka = new Map(aa.filter(isObj).map((x) => [keyOfItem(x as Obj, lt.keys), x])), kb = new Map(bb.filter(isObj).map((x) => [keyOfItem(x as Obj, lt.keys), x]));
    for (const k of new Set([...ka.keys(), ...kb.keys()])) {
      const ip = [...path, k];
      if (!ka.has(k) || !kb.has(k)) out.add(enc(ip));
      const ia = (ka.get(k) ?? {}) as Obj, ib = (kb.get(k) ?? {}) as Obj;
      for (const f of new Set([...Object.keys(ia), ...Object.keys(ib)])) diffPaths(ia[f], ib[f], [...ip, "f:" + f], [...names, f], out);
    }
    return out;
  }
  if (isObj(a) && isObj(b) && !atomicStruct(names) && Object.keys(a).length && Object.keys(b).length) {
    for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) diffPaths(a[k], b[k], [...path, "f:" + k], [...names, k], out);
    return out;
  }
  if (isObj(a) && !isObj(b) && !atomicStruct(names) && Object.keys(a).length) {
    for (const k of Object.keys(a)) diffPaths(a[k], undefined, [...path, "f:" + k], [...names, k], out);
    if (b !== undefined) out.add(enc(path));
    return out;
  }
  if (isObj(b) && !isObj(a) && !atomicStruct(names) && Object.keys(b).length) {
    for (const k of Object.keys(b)) diffPaths(undefined, b[k], [...path, "f:" + k], [...names, k], out);
    return out;
  }
  out.add(enc(path));
  return out;
}

// ---- FieldsV1 <-> PathSet -------------------------------------------------------------------------------------
export function toFieldsV1(set: PathSet): Obj {
  const root: Obj = {};
  for (const s of [...set].sort()) {
    const p = dec(s);
    let cur = root;
    for (const el of p) cur = cur[el] ??= {};
  }
  // a path that has children and is itself a member gets the "." marker
  for (const s of set) {
    const p = dec(s);
    let cur = root;
    for (const el of p) cur = cur[el];
    if (Object.keys(cur).filter((k) => k !== ".").length > 0) cur["."] = {};
  }
  return sortFields(root);
}
function sortFields(o: Obj): Obj {
  const out: Obj = {};
  for (const k of Object.keys(o).sort((a, b) => (a === "." ? -1 : b === "." ? 1 : a < b ? -1 : a > b ? 1 : 0))) out[k] = sortFields(o[k]);
  return out;
}
export function fromFieldsV1(f: Obj | undefined): PathSet {
  const out: PathSet = new Set();
  const walk = (node: Obj, path: string[]) => {
    const keys = Object.keys(node);
    if (path.length && (keys.length === 0 || keys.includes("."))) out.add(enc(path));
    for (const k of keys) if (k !== ".") walk(node[k], [...path, k]);
  };
  if (f) walk(f, []);
  return out;
}

/** ".spec.template.spec.containers[name=\"x\"].image" */
export function pathString(p: string[]): string {
  return p.map((el) => {
    if (el.startsWith("f:")) return "." + el.slice(2);
    if (el.startsWith("k:")) {
      const o = JSON.parse(el.slice(2));
      return "[" + Object.entries(o).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(",") + "]";
    }
    if (el.startsWith("v:")) return "[=" + el.slice(2) + "]";
    return el;
  }).join("");
}

// ---- navigation by FieldsV1 path ----------------------------------------------------------------------------
export function removePath(obj: Obj, p: string[]): void {
  let cur: any = obj;
  for (let i = 0; i < p.length - 1; i++) {
    cur = step(cur, p[i]);
    if (cur === undefined) return;
  }
  const last = p[p.length - 1];
  if (last.startsWith("f:")) { if (isObj(cur)) delete cur[last.slice(2)]; return; }
  if (!Array.isArray(cur)) return;
  const idx = last.startsWith("v:") ? cur.findIndex((x) => JSON.stringify(x) === last.slice(2)) : cur.findIndex((x) => isObj(x) && matchesKey(x, last));
  if (idx >= 0) cur.splice(idx, 1);
}
function matchesKey(item: Obj, pk: string) {
  const keys = Object.keys(JSON.parse(pk.slice(2)));
  return itemMatches(item, pk, keys);
}
function step(cur: any, el: string): any {
  if (el.startsWith("f:")) return isObj(cur) ? cur[el.slice(2)] : undefined;
  if (el.startsWith("k:") && Array.isArray(cur)) return cur.find((x) => isObj(x) && matchesKey(x, el));
  return undefined;
}
export function hasPath(obj: Obj, p: string[]): boolean {
  let cur: any = obj;
  for (const el of p) {
    if (el.startsWith("v:")) return Array.isArray(cur) && cur.some((x) => JSON.stringify(x) === el.slice(2));
    cur = step(cur, el);
    if (cur === undefined) return false;
  }
  return true;
}

/** Structured merge of an apply intent into live (intent wins; keyed lists merge by key, atomic replace). */
export function applyMerge(live: unknown, intent: unknown, names: string[] = []): unknown {
  if (intent === null) return undefined;
  if (Array.isArray(intent)) {
    const lt = listTypeOf(names);
    if (lt.type === "atomic" || !Array.isArray(live)) return clone(intent);
    if (lt.type === "set") {
      const out = [...live];
      for (const x of intent) if (!out.some((y) => deepEqual(x, y))) out.push(clone(x));
      return out;
    }
    const out = [...(live as unknown[])].map(clone);
    for (const item of intent) {
      if (!isObj(item)) continue;
      const pk = keyOfItem(item, lt.keys);
      const i = out.findIndex((x) => isObj(x) && keyOfItem(x as Obj, lt.keys) === pk);
      if (i >= 0) out[i] = applyMerge(out[i], item, names);
      else out.push(clone(item));
    }
    return out;
  }
  if (isObj(intent) && isObj(live) && !atomicStruct(names)) {
    const out: Obj = clone(live);
    for (const [k, v] of Object.entries(intent)) {
      const m = applyMerge(live[k], v, [...names, k]);
      if (m === undefined) delete out[k]; else out[k] = m;
    }
    return out;
  }
  return clone(intent);
}

// ---- JSON merge patch (RFC 7386) ----------------------------------------------------------------------------
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return clone(patch);
  const out: Obj = isObj(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

// ---- strategic merge patch -----------------------------------------------------------------------------------
function smpKey(names: string[]): string | undefined {
  const f = names[names.length - 1];
  if (["containers", "initContainers", "ephemeralContainers", "volumes", "env", "imagePullSecrets", "containerStatuses"].includes(f)) return "name";
  if (f === "ports") return names.includes("containers") || names.includes("initContainers") ? "containerPort" : names[0] === "spec" ? "port" : undefined;
  if (f === "volumeMounts") return "mountPath";
  if (f === "conditions") return "type";
  if (f === "ownerReferences") return "uid";
  if (f === "hostAliases") return "ip";
  if (f === "topologySpreadConstraints") return "topologyKey";
  return undefined;
}
export function strategicMerge(target: unknown, patch: unknown, names: string[] = []): unknown {
  if (!isObj(patch)) return clone(patch);
  if (patch.$patch === "replace") { const p = clone(patch); delete p.$patch; return stripDirectives(p); }
  if (patch.$patch === "delete") return undefined;
  const out: Obj = isObj(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k === "$patch" || k === "$retainKeys" || k.startsWith("$setElementOrder/")) continue;
    if (k.startsWith("$deleteFromPrimitiveList/")) {
      const f = k.slice("$deleteFromPrimitiveList/".length);
      if (Array.isArray(out[f])) out[f] = out[f].filter((x: unknown) => !(v as unknown[]).some((y) => deepEqual(x, y)));
      continue;
    }
    if (v === null) { delete out[k]; continue; }
    const nm = [...names, k];
    if (Array.isArray(v)) {
      const key = smpKey(nm);
      if (key && Array.isArray(out[k])) {
        if (v.some((x) => isObj(x) && x.$patch === "replace")) { out[k] = v.filter((x) => !(isObj(x) && x.$patch)).map(stripDirectives); continue; }
        const list = [...out[k]];
        for (const item of v) {
          if (!isObj(item)) continue;
          const i = list.findIndex((x) => isObj(x) && x[key] === item[key]);
          if (item.$patch === "delete") { if (i >= 0) list.splice(i, 1); continue; }
          if (i >= 0) list[i] = strategicMerge(list[i], item, nm);
          else list.push(stripDirectives(clone(item)));
        }
        out[k] = list;
      } else out[k] = (v as unknown[]).filter((x) => !(isObj(x) && x.$patch)).map(stripDirectives);
      continue;
    }
    if (isObj(v)) {
      const m = strategicMerge(out[k], v, nm);
      if (m === undefined) delete out[k]; else out[k] = m;
      continue;
    }
    out[k] = v;
  }
  return out;
}
function stripDirectives(v: any): any {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (!isObj(v)) return v;
  const o: Obj = {};
  for (const [k, x] of Object.entries(v)) if (!k.startsWith("$")) o[k] = stripDirectives(x);
  return o;
}

// ---- JSON patch (RFC 6902) -----------------------------------------------------------------------------------
export function jsonPatch(doc: unknown, ops: unknown): unknown {
  if (!Array.isArray(ops)) throw badRequest("the JSON patch must be a list of operations");
  let d = clone(doc) as any;
  const parse = (p: string) => {
    if (p === "") return [];
    if (!p.startsWith("/")) throw new StatusLikeError(`invalid JSON pointer "${p}"`);
    return p.slice(1).split("/").map((x) => x.replace(/~1/g, "/").replace(/~0/g, "~"));
  };
  const get = (path: string[]) => {
    let cur = d;
    for (const t of path) {
      if (Array.isArray(cur)) cur = cur[Number(t)];
      else if (isObj(cur)) cur = cur[t];
      else return undefined;
      if (cur === undefined) return undefined;
    }
    return cur;
  };
  const parentOf = (path: string[], op: string) => {
    const parent = get(path.slice(0, -1));
    if (parent === undefined || (typeof parent !== "object")) throw new StatusLikeError(`${op} operation does not apply: doc is missing path: "/${path.join("/")}": missing value`);
    return parent;
  };
  const add = (path: string[], value: unknown) => {
    if (path.length === 0) { d = clone(value); return; }
    const parent = parentOf(path, "add"), last = path[path.length - 1];
    if (Array.isArray(parent)) {
      const i = last === "-" ? parent.length : Number(last);
      if (!(i >= 0 && i <= parent.length)) throw new StatusLikeError(`add operation does not apply: index out of bounds`);
      parent.splice(i, 0, clone(value));
    } else parent[last] = clone(value);
  };
  const remove = (path: string[], op = "remove") => {
    const parent = parentOf(path, op), last = path[path.length - 1];
    if (get(path) === undefined) throw new StatusLikeError(`${op} operation does not apply: doc is missing path: "/${path.join("/")}": missing value`);
    if (Array.isArray(parent)) parent.splice(Number(last), 1); else delete parent[last];
  };
  for (const op of ops as Obj[]) {
    const path = parse(String(op.path ?? ""));
    switch (op.op) {
      case "add": add(path, op.value); break;
      case "remove": remove(path); break;
      case "replace": if (path.length) remove(path, "replace"); add(path, op.value); break;
      case "move": { const from = parse(op.from); const v = clone(get(from)); remove(from, "move"); add(path, v); break; }
      case "copy": add(path, clone(get(parse(op.from)))); break;
      case "test": if (!deepEqual(get(path), op.value)) throw new StatusLikeError(`testing value /${path.join("/")} failed: test failed`); break;
      default: throw badRequest(`Unexpected kind: ${op.op}`);
    }
  }
  return d;
}
export class StatusLikeError extends Error {}
