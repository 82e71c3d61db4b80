import "server-only";
import { readiness } from "@/server/health/readiness";
import { verb } from "@/server/verb";
import { architecture, collectEstate, paths } from "./collect";
import { currentArchConfig } from "./config";
import { ndotsExplain, ndotsInputSchema } from "./ndots-explain";

/** The estate, the resolution paths, the ndots explainer and the overview — read-only verbs (viewer). */
export const getArchitecture = verb({ name: "architecture.get", role: "viewer" }, () => architecture());

export const getPaths = verb({ name: "paths.get", role: "viewer" }, () => paths());

export const explainNdots = verb({ name: "paths.ndots", role: "viewer", input: ndotsInputSchema }, (_ctx, input) => ndotsExplain(input));

/** The overview page: dependencies and the estate at a glance; each source may fail alone. */
export const getOverview = verb({ name: "overview.get", role: "viewer" }, async () => {
  const [r, { config }] = await Promise.all([readiness(), currentArchConfig()]);
  return { readiness: r, estate: await collectEstate(config) };
});
