/** Read and write a dotted path ("coredns.cache.success.capacity") in a plain JSON document, for config forms. */
export type Json = Record<string, unknown>;

export function getPath(o: unknown, path: string): unknown {
  return path.split(".").reduce<unknown>((x, k) => (x && typeof x === "object" ? (x as Json)[k] : undefined), o);
}

/** A copy of `o` with `path` set; `undefined` removes the key (an optional field left empty). */
export function setPath<T extends Json>(o: T, path: string, value: unknown): T {
  const copy = structuredClone(o);
  const keys = path.split(".");
  let cur: Json = copy;
  for (const k of keys.slice(0, -1)) {
    if (!cur[k] || typeof cur[k] !== "object") cur[k] = {};
    cur = cur[k] as Json;
  }
  if (value === undefined) delete cur[keys[keys.length - 1]];
  else cur[keys[keys.length - 1]] = value;
  return copy;
}
