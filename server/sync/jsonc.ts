/**
 * Comment-tolerant JSON for Technitium app configs (15.x allows // and /* *\/ comments and a human may add them) and
 * a structural comparison that ignores key order, so the app's own rewrites are not reported as drift.
 */
export function parseJsonc(text: string): unknown {
  let out = "";
  let i = 0;
  let inString = false;
  while (i < text.length) {
    const c = text[i];
    if (inString) {
      out += c;
      if (c === "\\") {
        out += text[i + 1] ?? "";
        i += 2;
        continue;
      }
      if (c === '"') inString = false;
      i++;
      continue;
    }
    if (c === '"') {
      inString = true;
      out += c;
      i++;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
    } else if (c === "/" && text[i + 1] === "*") {
      const end = text.indexOf("*/", i + 2);
      i = end < 0 ? text.length : end + 2;
    } else if (c === "#" && /(^|\n)\s*$/.test(out)) {
      while (i < text.length && text[i] !== "\n") i++;
    } else {
      out += c;
      i++;
    }
  }
  // trailing commas
  out = out.replace(/,(\s*[}\]])/g, "$1");
  return JSON.parse(out);
}

export interface JsonDifference {
  path: string;
  desired: unknown;
  actual: unknown;
}

/** Differences between desired and actual (desired's keys; extra keys in actual are reported as well). */
export function diffJson(desired: unknown, actual: unknown, path = ""): JsonDifference[] {
  if (Array.isArray(desired) && Array.isArray(actual)) {
    const prim = (a: unknown[]) => a.every((x) => x === null || typeof x !== "object");
    if (prim(desired) && prim(actual)) {
      const norm = (a: unknown[]) => JSON.stringify([...a].map(String).sort());
      return norm(desired) === norm(actual) ? [] : [{ path: path || ".", desired, actual }];
    }
    if (desired.length !== actual.length) return [{ path: path || ".", desired, actual }];
    return desired.flatMap((d, i) => diffJson(d, actual[i], `${path}[${i}]`));
  }
  if (isObj(desired) && isObj(actual)) {
    const keys = new Set([...Object.keys(desired), ...Object.keys(actual)]);
    return [...keys].flatMap((k) => diffJson(desired[k], actual[k], `${path}.${k}`));
  }
  if (desired === actual) return [];
  return [{ path: path || ".", desired, actual }];
}

function isObj(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === "object" && !Array.isArray(v);
}
