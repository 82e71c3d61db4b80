import { test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { CACHE_PREFIX, DrawingCache, NODE_DOM_ID, admit, drawingKey, parseIndex, renderIdFor, stableJson, touch, usableDrawing, withDrawingId, type KeyValueStorage } from "../mermaid-cache";

/**
 * Web Storage as browsers keep it, in memory: string keys and values, insertion-ordered key(i), and a per-origin quota
 * counted in UTF-16 bytes over keys and values; a write over it throws QuotaExceededError and changes nothing.
 */
class MemoryStorage implements KeyValueStorage {
  private readonly items = new Map<string, string>();
  constructor(private readonly quotaBytes = Infinity) {}
  get length() {
    return this.items.size;
  }
  key(i: number) {
    return [...this.items.keys()][i] ?? null;
  }
  getItem(k: string) {
    return this.items.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    const others = [...this.items].filter(([key]) => key !== k).reduce((s, [key, val]) => s + 2 * (key.length + val.length), 0);
    if (others + 2 * (k.length + v.length) > this.quotaBytes) throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
    this.items.set(k, String(v));
  }
  removeItem(k: string) {
    this.items.delete(k);
  }
  keys() {
    return [...this.items.keys()];
  }
}

/** Storage where every call throws, as Safari's private mode (older versions) and storage disabled by policy do. */
class RefusingStorage implements KeyValueStorage {
  get length(): number {
    throw new DOMException("The operation is insecure.", "SecurityError");
  }
  key(): string | null {
    throw new DOMException("The operation is insecure.", "SecurityError");
  }
  getItem(): string | null {
    throw new DOMException("The operation is insecure.", "SecurityError");
  }
  setItem(): void {
    throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
  }
  removeItem(): void {
    throw new DOMException("The operation is insecure.", "SecurityError");
  }
}

/**
 * The shape of what mermaid 11.17 renders for `graph LR; coredns -->|.viktorbarzin.lan| tech0` (abridged from the
 * architecture graph as this cache stored it): the render id in the svg's id, its CSS selectors, the arrow markers'
 * ids and references, and every node's and edge's id (edge labels carry only a data-id, without it).
 */
const drawn = (id: string, label = "CoreDNS") =>
  `<svg id="${id}" width="100%" xmlns="http://www.w3.org/2000/svg" class="flowchart" viewBox="0 0 300 80" role="graphics-document document" aria-roledescription="flowchart-v2">` +
  `<style>#${id}{font-family:"trebuchet ms",verdana,arial,sans-serif;fill:#ccc;}#${id} .node rect{fill:#1f2020;}#${id} .marker{fill:lightgrey;}</style>` +
  `<g><marker id="${id}_flowchart-v2-pointEnd" class="marker flowchart-v2"><path d="M 0 0 L 10 5 L 0 10 z"/></marker>` +
  `<g class="root"><g class="edgePaths"><path d="M80,40L200,40" id="${id}-L_coredns_tech0_0" class="flowchart-link" data-id="L_coredns_tech0_0" marker-end="url(#${id}_flowchart-v2-pointEnd)"/></g>` +
  `<g class="edgeLabels"><g class="edgeLabel"><g class="label" data-id="L_coredns_tech0_0"><foreignObject><div xmlns="http://www.w3.org/1999/xhtml"><span class="edgeLabel"><p>.viktorbarzin.lan</p></span></div></foreignObject></g></g></g>` +
  `<g class="nodes"><g class="node default" id="${id}-flowchart-coredns-0"><rect/><foreignObject><div xmlns="http://www.w3.org/1999/xhtml"><span class="nodeLabel"><p>${label}</p></span></div></foreignObject></g>` +
  `<g class="node default" id="${id}-flowchart-tech0-1"><rect/><foreignObject><div xmlns="http://www.w3.org/1999/xhtml"><span class="nodeLabel"><p>Technitium primary</p></span></div></foreignObject></g></g></g></g></svg>`;

const CONFIG = { startOnLoad: false, securityLevel: "strict", theme: "dark", flowchart: { htmlLabels: true, useMaxWidth: false, rankSpacing: 20, nodeSpacing: 40, padding: 10 } };

test("stableJson: the same text for equal values whatever their key order, at every depth; arrays keep their order", () => {
  assert.equal(stableJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: "x" } }), stableJson({ a: { c: "x", d: [3, { y: 2, z: 1 }] }, b: 1 }));
  assert.equal(stableJson({ b: 1, a: { d: [3, { z: 1, y: 2 }] } }), '{"a":{"d":[3,{"y":2,"z":1}]},"b":1}');
  assert.notEqual(stableJson({ a: [1, 2] }), stableJson({ a: [2, 1] }));
  // what JSON drops, it drops here too: an undefined option is no option
  assert.equal(stableJson({ a: 1, b: undefined }), stableJson({ a: 1 }));
});

test("drawingKey: SHA-256 (hex) of the stable JSON of version, config and source; any of the three changes it", async () => {
  const source = "graph LR\n  coredns --> tech0";
  const key = await drawingKey("11.17.2", CONFIG, source);
  const expected = createHash("sha256").update(stableJson({ mermaid: "11.17.2", config: CONFIG, source }), "utf8").digest("hex");
  assert.equal(key, expected);
  assert.match(key!, /^[0-9a-f]{64}$/);
  // the config's key order does not matter; its values do (fit, panZoom's spacing)
  const reordered = { flowchart: { padding: 10, nodeSpacing: 40, rankSpacing: 20, useMaxWidth: false, htmlLabels: true }, theme: "dark", securityLevel: "strict", startOnLoad: false };
  assert.equal(await drawingKey("11.17.2", reordered, source), key);
  const others = await Promise.all([
    drawingKey("11.17.3", CONFIG, source),
    drawingKey("11.17.2", { ...CONFIG, flowchart: { htmlLabels: true, useMaxWidth: true } }, source),
    drawingKey("11.17.2", { ...CONFIG, flowchart: { ...CONFIG.flowchart, useMaxWidth: true } }, source),
    drawingKey("11.17.2", CONFIG, source + "\n  tech0 --> querylogs"),
    drawingKey("11.17.2", CONFIG, source.replace("coredns", "coredns ")),
  ]);
  assert.equal(new Set([key, ...others]).size, 6);
});

test("a drawing rendered with the key's id and shown under another has no trace of the first; node clicks still find dnsdeck's ids", async () => {
  const key = (await drawingKey("11.17.2", CONFIG, "graph LR\n  coredns --> tech0"))!;
  const stable = renderIdFor(key);
  assert.match(stable, /^mmdc[0-9a-f]{20}$/); // a valid XML id and CSS identifier as it stands
  const stored = drawn(stable);
  const shown = withDrawingId(stored, stable, "mmdR2ax7");
  assert.equal(shown, drawn("mmdR2ax7"));
  assert.ok(!shown.includes(stable));
  assert.ok(!shown.includes("mmdc"));
  // two copies on one page: no element id in common
  const ids = (svg: string) => [...svg.matchAll(/\sid="([^"]+)"/g)].map((m) => m[1]);
  const other = withDrawingId(stored, stable, "mmdR3bx8");
  assert.deepEqual(ids(shown).filter((i) => ids(other).includes(i)), []);
  assert.equal(ids(shown).length, 5);
  // the ids the component's click wiring reads (g.node ids) still name dnsdeck's nodes
  const nodeIds = [...shown.matchAll(/<g class="node default" id="([^"]+)"/g)].map((m) => NODE_DOM_ID.exec(m[1])?.[1]);
  assert.deepEqual(nodeIds, ["coredns", "tech0"]);
});

test("usableDrawing: a whole svg rendered with this id; a truncated, foreign or empty value is a miss", () => {
  const id = renderIdFor("ab".repeat(32));
  assert.ok(usableDrawing(drawn(id), id));
  assert.ok(usableDrawing(drawn(id) + "\n", id));
  assert.ok(!usableDrawing(drawn(id).slice(0, -10), id));
  assert.ok(!usableDrawing(drawn("mmdR1x0"), id));
  assert.ok(!usableDrawing(`<div>${drawn(id)}</div>`, id));
  assert.ok(!usableDrawing("", id));
  assert.ok(!usableDrawing(null, id));
});

test("admit: keeps at most the entry limit, dropping the least recently used", () => {
  const limits = { entries: 3, bytes: 1000 };
  const index = [
    { k: "b", n: 10, t: 20 },
    { k: "a", n: 10, t: 10 },
    { k: "c", n: 10, t: 30 },
  ];
  assert.deepEqual(admit(index, { k: "d", n: 10, t: 40 }, limits), {
    index: [
      { k: "b", n: 10, t: 20 },
      { k: "c", n: 10, t: 30 },
      { k: "d", n: 10, t: 40 },
    ],
    evict: ["a"],
  });
  // the same key again replaces its entry: nothing evicted, it becomes the most recent
  assert.deepEqual(admit(index, { k: "a", n: 12, t: 40 }, limits)?.evict, []);
  assert.deepEqual(admit(index, { k: "a", n: 12, t: 40 }, limits)?.index.map((e) => e.k), ["b", "c", "a"]);
  // a recently read entry outlives an older write (touch moves it to now)
  const touched = touch(index, "a", 10, 50);
  assert.deepEqual(admit(touched, { k: "d", n: 10, t: 60 }, limits)?.evict, ["b"]);
});

test("admit: keeps the total under the byte limit, oldest out first, however many that takes; a drawing over the limit alone is not kept", () => {
  const limits = { entries: 12, bytes: 100 };
  const index = [
    { k: "a", n: 30, t: 1 },
    { k: "b", n: 30, t: 2 },
    { k: "c", n: 30, t: 3 },
  ];
  assert.deepEqual(admit(index, { k: "d", n: 10, t: 4 }, limits)?.evict, []);
  assert.deepEqual(admit(index, { k: "d", n: 11, t: 4 }, limits)?.evict, ["a"]);
  assert.deepEqual(admit(index, { k: "d", n: 70, t: 4 }, limits)?.evict, ["a", "b"]);
  assert.deepEqual(admit(index, { k: "d", n: 71, t: 4 }, limits)?.evict, ["a", "b", "c"]);
  assert.deepEqual(admit(index, { k: "d", n: 100, t: 4 }, limits)?.index, [{ k: "d", n: 100, t: 4 }]);
  assert.equal(admit(index, { k: "d", n: 101, t: 4 }, limits), null);
});

test("parseIndex: anything but a list of well-formed entries reads as an empty or shorter index", () => {
  assert.deepEqual(parseIndex(null), []);
  assert.deepEqual(parseIndex("not json"), []);
  assert.deepEqual(parseIndex('{"k":"a"}'), []);
  assert.deepEqual(parseIndex('[{"k":"a","n":1,"t":2},{"k":1,"n":1,"t":2},{"k":"b","n":-1,"t":2},{"k":"c","n":1},null]'), [{ k: "a", n: 1, t: 2 }]);
});

test("DrawingCache: a drawing put is read back; a read makes it the most recent, so the least recently used is the one evicted", () => {
  const storage = new MemoryStorage();
  let clock = 0;
  const cache = new DrawingCache(storage, { entries: 3, bytes: 1_000_000 }, () => ++clock);
  for (const k of ["k1", "k2", "k3"]) assert.equal(cache.put(k, drawn(renderIdFor(k))), true);
  assert.equal(cache.get("k1"), drawn(renderIdFor("k1")));
  assert.equal(cache.get("missing"), null);
  assert.equal(cache.put("k4", drawn(renderIdFor("k4"))), true);
  assert.equal(cache.get("k2"), null); // k1 was read after k2 was written
  for (const k of ["k1", "k3", "k4"]) assert.equal(cache.get(k), drawn(renderIdFor(k)));
  // every key it wrote is under the versioned prefix, one per drawing plus the index
  assert.ok(storage.keys().every((k) => k.startsWith(CACHE_PREFIX)));
  assert.equal(storage.length, 4);
});

test("DrawingCache: the byte limit counts UTF-16 bytes, evicting the oldest drawings to make room", () => {
  const storage = new MemoryStorage();
  let clock = 0;
  const big = (c: string) => `<svg id="x">${c.repeat(200)}</svg>`; // 218 characters, 436 bytes
  const cache = new DrawingCache(storage, { entries: 12, bytes: 1000 }, () => ++clock);
  assert.equal(cache.put("a", big("a")), true);
  assert.equal(cache.put("b", big("b")), true);
  assert.equal(cache.put("c", big("c")), true); // 3 × 436 > 1000: a goes
  assert.equal(cache.get("a"), null);
  assert.equal(cache.get("b"), big("b"));
  assert.equal(cache.get("c"), big("c"));
  assert.equal(cache.put("huge", `<svg>${"x".repeat(600)}</svg>`), false); // over the limit alone: not kept, nothing dropped
  assert.equal(cache.get("b"), big("b"));
});

test("DrawingCache: a full origin quota drops older drawings until the new one fits, or stores nothing; never throws", () => {
  const entry = (c: string) => `<svg id="x">${c.repeat(1000)}</svg>`;
  let clock = 0;
  // room for the index and two drawings, not three, though the cache's own limit would allow three
  const storage = new MemoryStorage(2 * 2 * (1018 + 60) + 1000);
  const cache = new DrawingCache(storage, { entries: 12, bytes: 1_000_000 }, () => ++clock);
  assert.equal(cache.put("a", entry("a")), true);
  assert.equal(cache.put("b", entry("b")), true);
  assert.equal(cache.put("c", entry("c")), true);
  assert.equal(cache.get("a"), null);
  assert.equal(cache.get("b"), entry("b"));
  assert.equal(cache.get("c"), entry("c"));
  // someone else's data fills the origin: nothing of ours can fit, the put reports false and the reads still answer
  const crowded = new MemoryStorage(3000);
  crowded.setItem("someone-else", "y".repeat(1400));
  const c2 = new DrawingCache(crowded, undefined, () => ++clock);
  assert.equal(c2.put("a", entry("a")), false);
  assert.equal(c2.get("a"), null);
  assert.equal(crowded.getItem("someone-else"), "y".repeat(1400));
});

test("DrawingCache: storage that refuses every call is a cache that always misses", () => {
  const cache = new DrawingCache(new RefusingStorage());
  assert.equal(cache.put("a", drawn("x")), false);
  assert.equal(cache.get("a"), null);
});

test("DrawingCache: a write sweeps other versions' entries and strays the index does not name, and leaves other keys alone", () => {
  const storage = new MemoryStorage();
  storage.setItem("dnsdeck:mermaid:v0:svg:old", "<svg/>");
  storage.setItem("dnsdeck:mermaid:v0:index", "[]");
  storage.setItem(`${CACHE_PREFIX}svg:stray`, "<svg/>");
  storage.setItem("dnsdeck:theme", "dark");
  const cache = new DrawingCache(storage);
  assert.equal(cache.put("k", drawn(renderIdFor("k"))), true);
  assert.deepEqual(storage.keys().sort(), ["dnsdeck:theme", `${CACHE_PREFIX}index`, `${CACHE_PREFIX}svg:k`].sort());
});

test("DrawingCache: a drawing whose index entry was lost is still read, and counted again from then on", () => {
  const storage = new MemoryStorage();
  let clock = 0;
  const cache = new DrawingCache(storage, { entries: 2, bytes: 1_000_000 }, () => ++clock);
  cache.put("a", drawn("a"));
  storage.removeItem(`${CACHE_PREFIX}index`);
  assert.equal(cache.get("a"), drawn("a"));
  assert.deepEqual(parseIndex(storage.getItem(`${CACHE_PREFIX}index`)).map((e) => e.k), ["a"]);
  cache.put("b", drawn("b"));
  cache.put("c", drawn("c"));
  assert.equal(cache.get("a"), null);
});
