// Small helpers shared by the Kubernetes API twin. Pure, no I/O.
import { createHash, randomBytes, randomUUID } from "node:crypto";

export type Obj = Record<string, any>;

export const clone = <T>(v: T): T => (v === undefined ? v : JSON.parse(JSON.stringify(v)));

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== "object") return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => deepEqual(x, bb[i]));
  }
  const ka = Object.keys(a as object).filter((k) => (a as Obj)[k] !== undefined);
  const kb = Object.keys(b as object).filter((k) => (b as Obj)[k] !== undefined);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Obj)[k], (b as Obj)[k]));
}

export const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** RFC 3339 timestamp without fractional seconds, as the API server writes them. */
let timeShift = 0;
/** Seeding only: timestamps written without an explicit time are shifted (objects that "exist for weeks"). */
export const setTimeShift = (ms: number) => { timeShift = ms; };
export const ts = (ms?: number) => new Date(Math.floor((ms ?? Date.now() + timeShift) / 1000) * 1000).toISOString().replace(".000Z", "Z");

export const uid = () => randomUUID();

const ALNUM = "bcdfghjklmnpqrstvwxz2456789"; // the alphabet of k8s utilrand
export function randSuffix(n = 5): string {
  const b = randomBytes(n);
  let s = "";
  for (let i = 0; i < n; i++) s += ALNUM[b[i] % ALNUM.length];
  return s;
}

/** Stable short hash of a JSON value rendered with the k8s "safe" alphabet. */
export function safeHash(v: unknown, n = 10): string {
  const h = createHash("sha256").update(JSON.stringify(sortKeys(v))).digest();
  let s = "";
  for (let i = 0; i < n; i++) s += ALNUM[h[i] % ALNUM.length];
  return s;
}

export function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (isObj(v)) {
    const o: Obj = {};
    for (const k of Object.keys(v).sort()) o[k] = sortKeys(v[k]);
    return o;
  }
  return v;
}

export function intOrPercent(v: unknown, total: number, roundUp: boolean, dflt: number): number {
  if (v === undefined || v === null) return dflt;
  if (typeof v === "number") return v;
  const m = /^(\d+)%$/.exec(String(v));
  if (m) {
    const x = (Number(m[1]) * total) / 100;
    return roundUp ? Math.ceil(x) : Math.floor(x);
  }
  const n = Number(v);
  return Number.isFinite(n) ? n : dflt;
}

export function getPath(o: unknown, path: string[]): any {
  let cur: any = o;
  for (const p of path) {
    if (!isObj(cur) && !Array.isArray(cur)) return undefined;
    cur = (cur as Obj)[p];
  }
  return cur;
}
