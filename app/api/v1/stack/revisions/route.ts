import { z } from "zod";
import { listApplies } from "@/server/stack/apply";
import { route } from "@/server/http/guard";

// GET /api/v1/stack/revisions – apply/rollback history, newest first, paged with ?before=<id>&limit=
export const dynamic = "force-dynamic";

const input = z.object({ limit: z.coerce.number().int().min(1).max(100).optional(), before: z.coerce.number().int().positive().optional() });

export const GET = route({ role: "viewer", action: "stack.revisions", input }, async ({ input }) => listApplies(input));
