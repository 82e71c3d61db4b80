// Faults on demand: set by the admin endpoint (/_twin/faults) or TWIN_FAULTS at start.
import { randomUUID } from "node:crypto";

export type Fault =
  | { id?: string; kind: "nodeNotReady"; node: string }
  | { id?: string; kind: "imagePull"; image: string } // image substring that never pulls
  | { id?: string; kind: "podFail"; pod: string } // regex on "<namespace>/<pod name>": job pods exit 1, other pods crash-loop
  | { id?: string; kind: "api"; path: string; method?: string; status: 500 | 503 | 429 | 403 | "timeout"; nth?: number; retryAfter?: number; delayMs?: number; message?: string };

export class Faults {
  list: (Fault & { id: string; hits?: number })[] = [];

  constructor(initial?: string) {
    if (initial) {
      const parsed = JSON.parse(initial);
      for (const f of Array.isArray(parsed) ? parsed : parsed.faults ?? [parsed]) this.add(f);
    }
  }

  add(f: Fault): Fault & { id: string } {
    validate(f);
    const withId = { ...f, id: f.id ?? randomUUID().slice(0, 8), hits: 0 };
    this.list = this.list.filter((x) => x.id !== withId.id);
    this.list.push(withId);
    return withId;
  }
  remove(id?: string) {
    if (!id) this.list = [];
    else this.list = this.list.filter((f) => f.id !== id);
  }

  nodeNotReady(node: string) { return this.list.some((f) => f.kind === "nodeNotReady" && f.node === node); }
  imageNeverPulls(image: string) { return this.list.some((f) => f.kind === "imagePull" && image.includes(f.image)); }
  podFails(ns: string, pod: string) { return this.list.some((f) => f.kind === "podFail" && new RegExp(f.pod).test(`${ns}/${pod}`)); }

  /** The API fault that applies to this request, if any (counts matching requests for `nth`). */
  apiFault(method: string, path: string) {
    for (const f of this.list) {
      if (f.kind !== "api") continue;
      if (f.method && f.method.toUpperCase() !== method.toUpperCase()) continue;
      if (!new RegExp(f.path).test(path)) continue;
      f.hits = (f.hits ?? 0) + 1;
      if (f.nth && f.hits !== f.nth) continue;
      return f;
    }
    return undefined;
  }
}

function validate(f: Fault) {
  if (!f || typeof f !== "object") throw new Error("fault must be an object");
  switch (f.kind) {
    case "nodeNotReady": if (!f.node) throw new Error("nodeNotReady needs node"); break;
    case "imagePull": if (!f.image) throw new Error("imagePull needs image"); break;
    case "podFail": new RegExp(f.pod); break;
    case "api": new RegExp(f.path); if (![500, 503, 429, 403, "timeout"].includes(f.status)) throw new Error("api fault status must be 500, 503, 429, 403 or \"timeout\""); break;
    default: throw new Error(`unknown fault kind ${(f as { kind: string }).kind}`);
  }
}
