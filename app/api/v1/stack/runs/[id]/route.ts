import { route } from "@/server/http/guard";
import { getApplyRun } from "@/server/stack/run-verbs";

// GET /api/v1/stack/runs/:id – one apply run: steps, per-node rollout, verification, diff, outcome (poll while running)
export const dynamic = "force-dynamic";

export const GET = route(getApplyRun);
