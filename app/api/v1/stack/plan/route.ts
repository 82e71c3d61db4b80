import { route } from "@/server/http/guard";
import { planStackVerb } from "@/server/stack/run-verbs";

// GET /api/v1/stack/plan – per-object state (in-sync/drifted/missing/conflict/preview-unavailable), YAML diff and owners; also the drift check
export const dynamic = "force-dynamic";

export const GET = route(planStackVerb);
