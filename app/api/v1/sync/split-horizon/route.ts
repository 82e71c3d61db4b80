import { route } from "@/server/http/guard";
import { syncSplitHorizon } from "@/server/sync/verbs";

// POST /api/v1/sync/split-horizon – push Split Horizon + DNS Rebinding Protection configs to every instance and read them back; body {wait?}
export const POST = route(syncSplitHorizon);
