import { z } from "zod";
import { route } from "@/server/http/guard";
import { runSync } from "@/server/sync/service";

// POST /api/v1/sync/resolver-settings – apply cache/serve-stale settings and stub zones on every instance; body {wait?}
export const POST = route({ role: "operator", action: "sync.resolver-settings", input: z.object({ wait: z.boolean().optional() }) }, async ({ identity, input, setTarget }) => {
  setTarget("technitium resolver settings");
  return runSync("resolver-settings", { trigger: "button", user: identity.user, wait: input.wait });
});
