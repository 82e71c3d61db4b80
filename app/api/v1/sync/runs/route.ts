import { z } from "zod";
import { route } from "@/server/http/guard";
import { listRuns, SYNC_KINDS } from "@/server/sync/runs";

// GET /api/v1/sync/runs – sync run history, newest first; ?kind&page&pageSize
export const GET = route(
  {
    role: "viewer",
    action: "sync.runs.list",
    input: z.object({ kind: z.enum(SYNC_KINDS).optional(), page: z.coerce.number().int().min(1).optional(), pageSize: z.coerce.number().int().min(1).max(100).optional() }),
  },
  ({ input }) => listRuns(input),
);
