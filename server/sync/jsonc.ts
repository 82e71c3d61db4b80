/**
 * Comment-tolerant JSON for Technitium app configs (15.x allows // and /* *\/ comments and a human may add them) and
 * a structural comparison that ignores key order, so the app's own rewrites are not reported as drift. Parsed by
 * Microsoft's jsonc-parser (the one VS Code uses): // and /* *\/ comments and trailing commas, strings left intact.
 */
import { parse, type ParseError, printParseErrorCode } from "jsonc-parser";

export function parseJsonc(text: string): unknown {
  const errors: ParseError[] = [];
  const value = parse(text, errors, { allowTrailingComma: true, disallowComments: false, allowEmptyContent: false });
  if (errors.length) {
    const e = errors[0];
    const before = text.slice(0, e.offset);
    const line = before.split("\n").length;
    const column = e.offset - before.lastIndexOf("\n");
    throw new SyntaxError(`${printParseErrorCode(e.error)} at line ${line}, column ${column}`);
  }
  return value;
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
