import { route } from "@/server/http/guard";
import { getStackConfig, saveStackConfig } from "@/server/stack/config-verbs";

// GET /api/v1/stack/config – the current desired config and its revisions; POST – save a new revision (admin, field-level errors)
export const dynamic = "force-dynamic";

export const GET = route(getStackConfig);
export const POST = route(saveStackConfig);
