// The routes and pages of the app, discovered from the tree: a new page or route is covered by the security suite
// without anyone listing it (and the suite fails if it cannot build a request for one).
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

const app = path.resolve(import.meta.dirname, "..", "app");

/** Sample values for dynamic segments; a segment missing here fails the suite. */
export const SEGMENTS: Record<string, string> = { id: "1", ns: "technitium", name: "technitium-zone-sync", job: "technitium-zone-sync-manual-abcde" };

export interface Discovered {
  file: string;
  path: string;
  methods: string[];
}

function walk(dir: string, found: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, found);
    else found.push(p);
  }
  return found;
}

function urlPath(file: string): string {
  const parts = path
    .relative(app, path.dirname(file))
    .split(path.sep)
    .filter((s) => s && !/^\(.*\)$/.test(s))
    .map((s) => {
      const m = /^\[(.+)\]$/.exec(s);
      if (!m) return s;
      if (!(m[1] in SEGMENTS)) throw new Error(`${file}: no sample value for the dynamic segment [${m[1]}]; add one to e2e/security-tree.ts`);
      return SEGMENTS[m[1]];
    });
  return `/${parts.join("/")}`;
}

export function discoverPages(): Discovered[] {
  return walk(app)
    .filter((f) => path.basename(f) === "page.tsx")
    .map((file) => ({ file: path.relative(app, file), path: urlPath(file), methods: ["GET"] }));
}

export function discoverRoutes(): Discovered[] {
  return walk(path.join(app, "api"))
    .filter((f) => path.basename(f) === "route.ts")
    .map((file) => {
      const text = readFileSync(file, "utf8");
      const methods = [...text.matchAll(/export (?:const|async function|function) (GET|POST|PUT|PATCH|DELETE)\b/g)].map((m) => m[1]);
      return { file: path.relative(app, file), path: urlPath(file), methods };
    });
}
