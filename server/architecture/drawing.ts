import "server-only";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { tuning } from "@/server/env";
import { withTimeout } from "@/server/timeout";
import { type DrawingKind, type Drawn, drawingConfig, drawingKey, renderIdFor, sourceTag } from "./drawing-key";

/**
 * mermaid drawings made on the server, so that the architecture graph and the resolution paths arrive with the page
 * instead of after 1 MB of mermaid's code and a 0.5–1 s render in each visitor's browser (issue 17: the first loads).
 *
 * mermaid lays a graph out by measuring its labels in a real layout engine, so it is run where one is: a headless
 * Chromium (DIAGRAM_CHROMIUM, else /usr/bin/chromium), started with the server and kept (about 200 MB). Its one
 * page is offline (every request refused), holds nothing but mermaid's own published bundle, and renders dnsdeck's own
 * sources with securityLevel "strict" and the config the browser would use (drawing-key.ts) — the SVG is what the
 * visitor's browser would have made, so it is shown the same way. One drawing at a time; at most CACHE_MAX kept, by key.
 *
 * Never in the way: DIAGRAM_RENDERER=off, no Chromium, a failure or a drawing not ready within the caller's wait all
 * read as "no drawing" and the browser draws as before. A failure is said once in the server log and the renderer rests
 * for a minute before trying again.
 */

const CACHE_MAX = 24;
const RENDER_TIMEOUT_MS = 15_000;
const REST_AFTER_FAILURE_MS = 60_000;

function chromiumPath(): string | null {
  const { DIAGRAM_RENDERER, DIAGRAM_CHROMIUM } = tuning();
  if (DIAGRAM_RENDERER === "off") return null;
  return fs.existsSync(/*turbopackIgnore: true*/ DIAGRAM_CHROMIUM) ? DIAGRAM_CHROMIUM : null;
}

/**
 * mermaid's own bundle and version (the version names the drawing; the browser's bundle is built from the same package).
 * Found from the working directory — the project, or the standalone build's folder, which Next's server makes its
 * working directory and where next.config.mjs has the file copied (a bundler's require.resolve gives a module id here).
 */
let files: { version: string; script: string } | undefined;
function mermaidFiles(): { version: string; script: string } {
  if (files) return files;
  const dir = path.join(/*turbopackIgnore: true*/ process.cwd(), "node_modules", "mermaid");
  const version = (JSON.parse(fs.readFileSync(/*turbopackIgnore: true*/ path.join(dir, "package.json"), "utf8")) as { version: string }).version;
  return (files = { version, script: path.join(/*turbopackIgnore: true*/ dir, "dist", "mermaid.min.js") });
}

/**
 * One renderer for the process. Next bundles the instrumentation hook, the pages and the API routes apart, each with
 * its own copy of this module: the state lives on globalThis, or each copy would start a browser of its own.
 */
interface RendererState {
  cache: Map<string, string>; // key → svg, oldest first
  inflight: Map<string, Promise<string | null>>;
  chain: Promise<unknown>;
  session: Promise<{ browser: Browser; page: Page }> | null;
  restingUntil: number;
}
const SLOT = Symbol.for("dnsdeck.diagramRenderer");
const g = globalThis as typeof globalThis & { [SLOT]?: RendererState };
const st: RendererState = (g[SLOT] ??= { cache: new Map(), inflight: new Map(), chain: Promise.resolve(), session: null, restingUntil: 0 });

async function open(executablePath: string): Promise<{ browser: Browser; page: Page }> {
  const { chromium } = await import("playwright-core");
  // Its own small environment: none of dnsdeck's secrets, and a writable home (the container's root is read-only).
  const home = path.join(os.tmpdir(), "dnsdeck-chromium");
  const browser = await chromium.launch({
    executablePath,
    chromiumSandbox: false,
    // dnsdeck's own shutdown stays its own (start.mjs: SIGTERM lets running applies finish; playwright's SIGINT handler
    // would exit the process at once); the browser is killed when the process exits (playwright's exit handler).
    handleSIGINT: false,
    handleSIGTERM: false,
    handleSIGHUP: false,
    env: { HOME: home, XDG_CONFIG_HOME: path.join(home, ".config"), XDG_CACHE_HOME: path.join(home, ".cache"), PATH: process.env.PATH ?? "/usr/bin:/bin" },
    args: ["--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-extensions", "--disable-dev-shm-usage", "--disable-crash-reporter"],
  });
  try {
    const context = await browser.newContext({ offline: true, javaScriptEnabled: true, viewport: { width: 1600, height: 1200 } });
    await context.route("**/*", (r) => r.abort());
    const page = await context.newPage();
    await page.setContent("<!doctype html><html><head><meta charset=\"utf-8\"></head><body></body></html>");
    await page.addScriptTag({ content: fs.readFileSync(/*turbopackIgnore: true*/ mermaidFiles().script, "utf8") });
    browser.on("disconnected", () => {
      st.session = null;
    });
    return { browser, page };
  } catch (err) {
    await browser.close().catch(() => {});
    throw err;
  }
}

/**
 * Starts the headless browser and loads mermaid into it ahead of the first drawing (at server start), so that the
 * first page to ask gets its drawing within its wait. Nothing when drawing on the server is off or impossible.
 */
export async function warmRenderer(): Promise<void> {
  const exe = chromiumPath();
  if (!exe || st.session) return;
  st.session = open(exe);
  try {
    await st.session;
  } catch (err) {
    st.session = null;
    rest(err);
  }
}

/** A failure: said once in the log (its first line; never the source), and browsers draw for the next minute. */
function rest(err: unknown) {
  st.restingUntil = Date.now() + REST_AFTER_FAILURE_MS;
  console.warn(`dnsdeck: no drawing on the server (${err instanceof Error ? err.message.split("\n")[0] : String(err)}); browsers draw for the next minute`);
}

/** Closes the headless browser (tests; after a failed drawing); the next drawing starts it again. */
export async function closeRenderer(): Promise<void> {
  const s = st.session;
  st.session = null;
  if (s) await s.then((x) => x.browser.close()).catch(() => {});
}

async function render(executablePath: string, source: string, config: unknown, id: string): Promise<string> {
  st.session ??= open(executablePath);
  const s = st.session;
  try {
    const { page } = await s;
    return await withTimeout(
      page.evaluate(
        async ([src, cfg, rid]) => {
          const m = (window as unknown as { mermaid: { initialize(c: unknown): void; render(id: string, s: string): Promise<{ svg: string }> } }).mermaid;
          m.initialize(cfg);
          return (await m.render(rid, src)).svg;
        },
        [source, config, id] as const,
      ),
      RENDER_TIMEOUT_MS,
      () => new Error(`no drawing within ${RENDER_TIMEOUT_MS} ms`),
    );
  } catch (err) {
    // a page in an unknown state is not reused
    if (st.session === s) await closeRenderer();
    throw err;
  }
}

function keep(key: string, svg: string) {
  st.cache.delete(key);
  st.cache.set(key, svg);
  while (st.cache.size > CACHE_MAX) st.cache.delete(st.cache.keys().next().value as string);
}

/**
 * The drawing of `source` as `kind`, if the server has it or can make it within `waitMs`; undefined otherwise (the
 * browser then draws). A drawing not ready in time is still finished and kept for the next caller.
 */
export async function drawOnServer(source: string, kind: DrawingKind, waitMs: number): Promise<Drawn | undefined> {
  const exe = chromiumPath();
  if (!exe || !source) return undefined;
  const config = drawingConfig(kind);
  const key = await drawingKey(mermaidFiles().version, config, source);
  if (!key) return undefined;
  const hit = st.cache.get(key);
  if (hit) {
    keep(key, hit);
    return { kind, key, of: sourceTag(source), svg: hit };
  }
  if (Date.now() < st.restingUntil) return undefined;
  let job = st.inflight.get(key);
  if (!job) {
    job = st.chain.then(() => render(exe, source, config, renderIdFor(key))).then(
      (svg) => {
        if (!svg.startsWith("<svg")) throw new Error("mermaid returned no SVG");
        keep(key, svg);
        return svg;
      },
      (err: unknown) => {
        rest(err);
        return null;
      },
    );
    st.chain = job;
    const j = job;
    st.inflight.set(key, j);
    void j.finally(() => st.inflight.delete(key));
  }
  const svg = await withTimeout(job, waitMs, () => new Error("late")).catch(() => null);
  return svg ? { kind, key, of: sourceTag(source), svg } : undefined;
}
