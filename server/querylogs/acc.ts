/**
 * Bucketed counts with the breakdown the charts draw (by response type, by instance, NXDOMAIN, SERVFAIL), filled from
 * rollup cells, raw rows and per-key counts alike. Signature ids are translated through the dictionary. Pure.
 */
import { decode, RESPONSE_TYPES } from "./enums";
import type { SigDict } from "./sigs";

export interface Cell {
  total: number;
  byType: Map<number, number>;
  byServer: Map<string, number>;
  nx: number;
  sf: number;
}

export class Acc {
  readonly cells = new Map<number, Cell>();
  approximate = false;
  /** An estimate too thin to show as a number. */
  unknown = false;
  notes: string[] = [];
  constructor(
    readonly step: number,
    readonly dict: SigDict,
  ) {}

  bucket(t: number): number {
    return Math.floor(t / this.step) * this.step;
  }

  cell(t: number): Cell {
    const b = this.bucket(t);
    let c = this.cells.get(b);
    if (!c) this.cells.set(b, (c = { total: 0, byType: new Map(), byServer: new Map(), nx: 0, sf: 0 }));
    return c;
  }

  /** Add n rows at time t with the given dimensions. */
  addDims(t: number, server: string, rt: number, rcode: number, n: number): void {
    if (!n) return;
    const c = this.cell(t);
    c.total += n;
    c.byType.set(rt, (c.byType.get(rt) ?? 0) + n);
    c.byServer.set(server, (c.byServer.get(server) ?? 0) + n);
    if (rcode === 3) c.nx += n;
    if (rcode === 2) c.sf += n;
  }

  addSig(t: number, sig: number, n: number): void {
    const s = this.dict.byId.get(sig);
    if (!s) throw new Error(`unknown signature ${sig}`);
    this.addDims(t, s.server, s.rt, s.rcode, n);
  }

  /** this − other, cell by cell (negated client/name filters: everything minus the matches). */
  subtract(other: Acc): void {
    for (const [b, o] of other.cells) {
      const c = this.cell(b);
      c.total -= o.total;
      c.nx -= o.nx;
      c.sf -= o.sf;
      for (const [k, v] of o.byType) c.byType.set(k, (c.byType.get(k) ?? 0) - v);
      for (const [k, v] of o.byServer) c.byServer.set(k, (c.byServer.get(k) ?? 0) - v);
    }
    this.approximate ||= other.approximate;
    this.unknown ||= other.unknown;
    this.notes.push(...other.notes);
  }

  total(): number {
    let s = 0;
    for (const c of this.cells.values()) s += c.total;
    return s;
  }
}

export interface SeriesPoint {
  t: string;
  total: number;
  byType: Record<string, number>;
  byServer: Record<string, number>;
  nxDomain: number;
  serverFailure: number;
}

/** Every bucket from the one holding `from` to the one before `to`, empty ones included (all charts share the grid). */
export function toSeries(acc: Acc, from: Date, to: Date): SeriesPoint[] {
  const out: SeriesPoint[] = [];
  for (let b = acc.bucket(from.getTime()); b < to.getTime(); b += acc.step) {
    const c = acc.cells.get(b);
    const byType: Record<string, number> = {};
    const byServer: Record<string, number> = {};
    if (c) {
      for (const [k, v] of c.byType) if (v) byType[decode(RESPONSE_TYPES, k) as string] = v;
      for (const [k, v] of c.byServer) if (v) byServer[k] = v;
    }
    out.push({ t: new Date(b).toISOString(), total: c?.total ?? 0, byType, byServer, nxDomain: c?.nx ?? 0, serverFailure: c?.sf ?? 0 });
  }
  return out;
}
