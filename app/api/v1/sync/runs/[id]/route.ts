import { route } from "@/server/http/guard";
import { getSyncRun } from "@/server/sync/verbs";

// GET /api/v1/sync/runs/:id – one run with its steps (poll it for live progress)
export const GET = route(getSyncRun);
