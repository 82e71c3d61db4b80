// In-memory object store with a global resourceVersion, a bounded event history (for watch resume / 410)
// and watchers.
import type { ResourceDef } from "./resources";
import { storeKey } from "./resources";
import { clone, type Obj } from "./util";

export type EventType = "ADDED" | "MODIFIED" | "DELETED";
export interface HistEvent { rv: number; key: string; type: EventType; obj: Obj; prev?: Obj }
export interface Watcher { key: string; ns?: string; fn(ev: HistEvent): void }

export class Store {
  rv = 1000;
  private objs = new Map<string, Map<string, Obj>>();
  history: HistEvent[] = [];
  /** Lowest resourceVersion a watch may resume from; older → 410 Expired. */
  compactedRv = 1000;
  watchers = new Set<Watcher>();
  listeners = new Set<(ev: HistEvent) => void>();
  constructor(public historyLimit = 5000) {}

  private bucket(r: ResourceDef) {
    const k = storeKey(r);
    let b = this.objs.get(k);
    if (!b) this.objs.set(k, (b = new Map()));
    return b;
  }
  static id(ns: string | undefined, name: string) { return `${ns ?? ""}/${name}`; }

  get(r: ResourceDef, ns: string | undefined, name: string): Obj | undefined {
    return this.bucket(r).get(Store.id(r.namespaced ? ns : undefined, name));
  }
  list(r: ResourceDef, ns?: string): Obj[] {
    const all = [...this.bucket(r).values()];
    const out = ns && r.namespaced ? all.filter((o) => o.metadata.namespace === ns) : all;
    return out.sort((a, b) => (a.metadata.namespace ?? "").localeCompare(b.metadata.namespace ?? "") || a.metadata.name.localeCompare(b.metadata.name));
  }
  nextRv() { return ++this.rv; }

  /** Stores obj (already carrying its new metadata.resourceVersion) and records the event. */
  put(r: ResourceDef, obj: Obj, type: EventType, prev?: Obj) {
    const id = Store.id(r.namespaced ? obj.metadata.namespace : undefined, obj.metadata.name);
    if (type === "DELETED") this.bucket(r).delete(id);
    else this.bucket(r).set(id, obj);
    const ev: HistEvent = { rv: Number(obj.metadata.resourceVersion), key: storeKey(r), type, obj, prev };
    this.history.push(ev);
    if (this.history.length > this.historyLimit) {
      const drop = this.history.splice(0, this.history.length - this.historyLimit);
      this.compactedRv = drop[drop.length - 1].rv;
    }
    for (const w of this.watchers) if (w.key === ev.key && (!w.ns || w.ns === obj.metadata.namespace)) w.fn(ev);
    for (const l of this.listeners) l(ev);
  }

  /** Drops the whole history (what etcd compaction does); later resumes from older RVs get 410. */
  compact() {
    this.history = [];
    this.compactedRv = this.rv;
  }

  eventsSince(key: string, rv: number, ns?: string): HistEvent[] {
    return this.history.filter((e) => e.key === key && e.rv > rv && (!ns || e.obj.metadata.namespace === ns));
  }

  snapshot(): Obj {
    const out: Obj = {};
    for (const [k, b] of this.objs) out[k] = [...b.values()].map(clone);
    return out;
  }
}
