import { route } from "@/server/http/guard";
import { fixSplitHorizon } from "@/server/records/verbs";

// POST /api/v1/consistency/split-horizon – admin: save the report's Split Horizon change as a stack config revision, then run the Split Horizon sync;
// body {translation?: {external, internal, replace?}, privateDomain?, baseRevision, wait?}
export const POST = route(fixSplitHorizon);
