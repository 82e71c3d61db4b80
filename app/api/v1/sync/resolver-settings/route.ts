import { route } from "@/server/http/guard";
import { syncResolverSettings } from "@/server/sync/verbs";

// POST /api/v1/sync/resolver-settings – apply cache/serve-stale settings and stub zones on every instance; body {wait?}
export const POST = route(syncResolverSettings);
