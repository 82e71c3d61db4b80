/**
 * A per-browser cache of mermaid drawings (used by mermaid.tsx). Drawing the architecture graph takes mermaid
 * 0.5–1 s of main-thread time, yet the drawing depends only on mermaid's version, the config given to initialize()
 * and the source text: the same three give the same SVG, so a revisit can insert the SVG drawn last time.
 *
 * Kept in localStorage under a versioned prefix, at most CACHE_LIMITS entries and bytes, the least recently used
 * dropped first. It is a cache and nothing more: any storage failure (full, disabled, Safari's private mode) reads as
 * a miss or a write not kept, and the caller draws as if there were no cache.
 *
 * No DOM here (the storage is passed in), so the rules are tested under Node.
 */

/** Bump the version when what is stored changes meaning; older versions' entries are then swept on the next write. */
export const CACHE_PREFIX = "dnsdeck:mermaid:v1:";
/** Everything any version of this cache ever wrote starts with this (the sweep removes other versions' keys). */
const FAMILY = "dnsdeck:mermaid:";
const INDEX_KEY = `${CACHE_PREFIX}index`;
const ENTRY = `${CACHE_PREFIX}svg:`;

/**
 * Bytes as browsers count them against the origin's quota (UTF-16: two per character). 4 MiB is under every
 * browser's per-origin localStorage quota (5–10 MiB) with room for whatever else the origin keeps there.
 */
export const CACHE_LIMITS = { entries: 12, bytes: 4 * 1024 * 1024 };
export type CacheLimits = typeof CACHE_LIMITS;

/** One stored drawing in the index: its key, its size in bytes, when it was last written or read (ms). */
export interface IndexEntry {
  k: string;
  n: number;
  t: number;
}

/** The part of the Web Storage interface the cache uses (window.localStorage in the browser). */
export interface KeyValueStorage {
  readonly length: number;
  key(index: number): string | null;
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

// The key, the render id and the id swap are shared with the server's renderer (server/architecture/drawing.ts).
export { drawingKey, renderIdFor, stableJson, withDrawingId } from "@/server/architecture/drawing-key";

/** A stored drawing looks whole and was rendered with this key's id (a truncated or foreign value is a miss). */
export function usableDrawing(svg: string | null, renderId: string): svg is string {
  return !!svg && svg.startsWith("<svg") && svg.trimEnd().endsWith("</svg>") && svg.includes(`id="${renderId}"`);
}

/** dnsdeck's node id in a mermaid flowchart node's DOM id (`<svg id>-flowchart-<node id>-<counter>`). */
export const NODE_DOM_ID = /flowchart-([a-zA-Z0-9]+)-\d+$/;

export function parseIndex(text: string | null): IndexEntry[] {
  if (!text) return [];
  try {
    const v: unknown = JSON.parse(text);
    if (!Array.isArray(v)) return [];
    return v.filter((e): e is IndexEntry => !!e && typeof e.k === "string" && Number.isFinite(e.n) && e.n >= 0 && Number.isFinite(e.t));
  } catch {
    return [];
  }
}

/**
 * The index after adding (or refreshing) one drawing, and the keys to drop so that it stays within the limits: least
 * recently used first. null when the drawing alone is over the byte limit (not stored; nothing dropped for it).
 */
export function admit(index: IndexEntry[], add: IndexEntry, limits: CacheLimits = CACHE_LIMITS): { index: IndexEntry[]; evict: string[] } | null {
  if (add.n > limits.bytes || limits.entries < 1) return null;
  const kept = [...index.filter((e) => e.k !== add.k), add].sort((a, b) => a.t - b.t);
  let bytes = kept.reduce((s, e) => s + e.n, 0);
  const evict: string[] = [];
  // the new drawing has the latest time, so it is the last one standing
  while (kept.length > limits.entries || bytes > limits.bytes) {
    const old = kept.shift()!;
    bytes -= old.n;
    evict.push(old.k);
  }
  return { index: kept, evict };
}

/** The index with a drawing marked as just used (added if the index had lost it, so its bytes are counted). */
export function touch(index: IndexEntry[], k: string, n: number, now: number): IndexEntry[] {
  return [...index.filter((e) => e.k !== k), { k, n, t: now }];
}

const bytesOf = (s: string) => s.length * 2;

/**
 * The cache over a Web Storage. Every storage call may throw (quota, storage disabled, private mode): get answers
 * null and put false then, never an exception. Tabs share the storage and may write the index at the same time; the
 * worst that does is lose a recency update or leave an entry out of the index, and put sweeps such strays.
 */
export class DrawingCache {
  constructor(
    private readonly storage: KeyValueStorage,
    private readonly limits: CacheLimits = CACHE_LIMITS,
    private readonly now: () => number = Date.now,
  ) {}

  get(key: string): string | null {
    try {
      const svg = this.storage.getItem(ENTRY + key);
      if (svg === null) return null;
      try {
        this.storage.setItem(INDEX_KEY, JSON.stringify(touch(this.index(), key, bytesOf(svg), this.now())));
      } catch {
        // the drawing is still good; it only keeps an older recency
      }
      return svg;
    } catch {
      return null;
    }
  }

  /** Stores a drawing; false when it was not kept (too big, storage full or unavailable). */
  put(key: string, svg: string): boolean {
    try {
      const plan = admit(this.index(), { k: key, n: bytesOf(svg), t: this.now() }, this.limits);
      if (!plan) return false;
      const index = plan.index;
      for (const k of plan.evict) this.storage.removeItem(ENTRY + k);
      this.sweep(new Set(index.map((e) => e.k)));
      // The origin's quota may be fuller than our own limits know (other data, another tab's writes): drop our oldest
      // drawings one at a time until this one fits, or give up when none is left to drop.
      for (;;) {
        try {
          this.storage.setItem(ENTRY + key, svg);
          break;
        } catch (err) {
          const oldest = index.findIndex((e) => e.k !== key);
          if (oldest < 0) throw err;
          this.storage.removeItem(ENTRY + index[oldest].k);
          index.splice(oldest, 1);
        }
      }
      try {
        this.storage.setItem(INDEX_KEY, JSON.stringify(index));
      } catch (err) {
        this.storage.removeItem(ENTRY + key); // not in the index: nothing would ever count or evict it
        throw err;
      }
      return true;
    } catch {
      return false;
    }
  }

  private index(): IndexEntry[] {
    return parseIndex(this.storage.getItem(INDEX_KEY));
  }

  /** Removes this cache's keys the index does not name: other versions' entries and strays left by racing tabs. */
  private sweep(live: Set<string>) {
    const stray: string[] = [];
    for (let i = 0; i < this.storage.length; i++) {
      const name = this.storage.key(i);
      if (!name?.startsWith(FAMILY) || name === INDEX_KEY) continue;
      if (!name.startsWith(ENTRY) || !live.has(name.slice(ENTRY.length))) stray.push(name);
    }
    for (const name of stray) this.storage.removeItem(name);
  }
}
