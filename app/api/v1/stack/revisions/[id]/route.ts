import { z } from "zod";
import { getApply } from "@/server/stack/apply";
import { route } from "@/server/http/guard";

// GET /api/v1/stack/revisions/:id – one apply run: steps, per-node rollout, verification, diff, outcome (poll while running)
export const dynamic = "force-dynamic";

export const GET = route({ role: "viewer", action: "stack.revision", input: z.object({ id: z.coerce.number().int().positive() }) }, async ({ input }) => getApply(input.id));
