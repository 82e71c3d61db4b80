import { z } from "zod";
import { configRevision, currentConfig } from "@/server/stack/config-store";
import { planStack } from "@/server/stack/plan";
import { route } from "@/server/http/guard";

// GET /api/v1/stack/plan – per-object state (in-sync/drifted/missing/conflict/preview-unavailable), YAML diff and owners; also the drift check
export const dynamic = "force-dynamic";

const input = z.object({
  revision: z.coerce.number().int().positive().optional(),
  objects: z
    .string()
    .optional()
    .transform((s) => (s ? s.split(",").map((x) => x.trim()).filter(Boolean) : undefined)),
});

export const GET = route({ role: "viewer", action: "stack.plan", input }, async ({ input }) => {
  const rev = input.revision ? await configRevision(input.revision) : await currentConfig();
  const plan = await planStack(rev.config, { keys: input.objects });
  return { configRevision: { id: rev.id, createdAt: rev.createdAt, createdBy: rev.createdBy, note: rev.note }, ...plan };
});
