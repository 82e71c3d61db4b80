import { z } from "zod";
import { defaultStackConfig, type StackConfig } from "@/k8s/config";
import { validateCorefile } from "@/k8s/corefile";
import { route } from "@/server/http/guard";
import { currentConfig } from "@/server/stack/config-store";

// POST /api/v1/corefile/validate – parse and check a CoreDNS or NodeLocal Corefile; errors carry line and column
export const dynamic = "force-dynamic";

const input = z.object({
  target: z.enum(["coredns", "nodelocal"]),
  corefile: z.string().max(256 * 1024, "the Corefile is larger than 256 KiB"),
  /** Cluster CoreDNS version to check against (default: the stack config's, else 1.11.3). */
  corednsVersion: z.string().regex(/^v?\d+\.\d+\.\d+$/, "must be a version like 1.11.3").optional(),
});

export const POST = route({ role: "viewer", action: "corefile.validate", input }, async ({ input, setTarget }) => {
  setTarget(`${input.target} Corefile`);
  // The loop rules need the stack's addresses (link-local IP, kube-dns ClusterIP, health port); without a stored
  // config (or a database), the homelab defaults are the truth.
  let stack: StackConfig = defaultStackConfig;
  try {
    stack = (await currentConfig()).config;
  } catch {
    stack = defaultStackConfig;
  }
  const r = validateCorefile(input.corefile, input.target, { stack, corednsVersion: input.corednsVersion ?? stack.coredns.version });
  return { valid: r.valid, errors: r.errors.map((e) => ({ line: e.line, column: e.column, message: e.message, severity: e.severity ?? "error" })) };
});
