import { route } from "@/server/http/guard";
import { applyStack } from "@/server/stack/run-verbs";

// POST /api/v1/stack/apply – apply a config revision (default: current) object by object with rollout health gate; returns the run id to poll
export const dynamic = "force-dynamic";

export const POST = route(applyStack);
