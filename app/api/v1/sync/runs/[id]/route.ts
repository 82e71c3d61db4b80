import { z } from "zod";
import { route } from "@/server/http/guard";
import { getRun } from "@/server/sync/runs";

// GET /api/v1/sync/runs/:id – one run with its steps (poll it for live progress)
export const GET = route({ role: "viewer", action: "sync.runs.get", input: z.object({ id: z.coerce.number().int().min(1) }) }, ({ input }) => getRun(input.id));
