import "server-only";
import { z } from "zod";
import { k8sLabelName } from "@/k8s/schemas";
import { dnsName } from "@/server/trace/schemas";
import { currentArchConfig } from "./config";
import { nodeLocalState } from "./live";
import { ndotsScenario } from "./ndots";
import { junkEvidence } from "./querylog-stats";

export const ndotsInputSchema = z.object({
  name: dnsName.default("www.cloudflare.com"),
  namespace: k8sLabelName.default("default"),
});

/** ndots 5 (the Kubernetes default) vs the cluster's ndots, for one name from one namespace, plus today's evidence. */
export async function ndotsExplain(input: z.infer<typeof ndotsInputSchema>) {
  const { config } = await currentArchConfig();
  const [nl, evidence] = await Promise.all([nodeLocalState(config), junkEvidence(config.internalZone, config.clusterDomain)]);
  const deployed = nl.ok ? nl.value.deployed : true;
  return {
    name: input.name,
    namespace: input.namespace,
    internalZone: config.internalZone,
    template: config.coreDnsTemplate ?? null,
    nodeLocalDeployed: deployed,
    scenarios: [ndotsScenario(config, input.name, input.namespace, 5, deployed), ndotsScenario(config, input.name, input.namespace, config.clusterNdots, deployed)],
    evidence: evidence.ok ? { available: true as const, ...evidence.value } : { available: false as const, reason: evidence.error },
  };
}
