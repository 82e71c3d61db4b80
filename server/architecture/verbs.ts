import "server-only";
import { readiness } from "@/server/health/readiness";
import { verb } from "@/server/verb";
import { architecture, collectEstate, paths } from "./collect";
import { currentArchConfig } from "./config";
import { drawOnServer } from "./drawing";
import { ndotsExplain, ndotsInputSchema } from "./ndots-explain";

/**
 * How long an answer waits for the server's drawing of a source it has not drawn before (drawing.ts); past it the
 * answer goes without one, the browser draws, and the server's drawing is kept for the next answer.
 */
const DRAW_WAIT_MS = 1_000;

/** The estate, the resolution paths, the ndots explainer and the overview — read-only verbs (viewer). */
export const getArchitecture = verb({ name: "architecture.get", role: "viewer" }, async () => {
  const a = await architecture();
  return { ...a, drawn: await drawOnServer(a.mermaid, "panzoom", DRAW_WAIT_MS) };
});

export const getPaths = verb({ name: "paths.get", role: "viewer" }, async () => {
  const p = await paths();
  const drawn = await Promise.all(p.diagrams.map((d) => drawOnServer(d.mermaid, "fit", DRAW_WAIT_MS)));
  return { ...p, diagrams: p.diagrams.map((d, i) => ({ ...d, drawn: drawn[i] })) };
});

export const explainNdots = verb({ name: "paths.ndots", role: "viewer", input: ndotsInputSchema }, (_ctx, input) => ndotsExplain(input));

/** The overview page: dependencies and the estate at a glance; each source may fail alone. */
export const getOverview = verb({ name: "overview.get", role: "viewer" }, async () => {
  const [r, { config }] = await Promise.all([readiness(), currentArchConfig()]);
  return { readiness: r, estate: await collectEstate(config) };
});
