import { z } from "zod";
import { currentConfig, listConfigRevisions, saveConfig } from "@/server/stack/config-store";
import { route } from "@/server/http/guard";

// GET /api/v1/stack/config – the current desired config and its revisions; POST – save a new revision (admin, field-level errors)
export const dynamic = "force-dynamic";

export const GET = route(
  { role: "viewer", action: "stack.config", input: z.object({ before: z.coerce.number().int().positive().optional(), limit: z.coerce.number().int().min(1).max(100).optional() }) },
  async ({ input }) => ({ current: await currentConfig(), revisions: await listConfigRevisions(input) }),
);

export const POST = route({ role: "admin", action: "stack.config.save", input: z.object({ config: z.unknown(), note: z.string().max(500).optional() }) }, async ({ identity, input, setTarget }) => {
  const rev = await saveConfig(input.config, identity.user, input.note);
  setTarget(`stack config revision ${rev.id}`);
  return rev;
});
