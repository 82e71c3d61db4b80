import { z } from "zod";
import { route } from "@/server/http/guard";
import { runSync } from "@/server/sync/service";

// POST /api/v1/sync/split-horizon – push Split Horizon + DNS Rebinding Protection configs to every instance and read them back; body {wait?}
export const POST = route({ role: "operator", action: "sync.split-horizon", input: z.object({ wait: z.boolean().optional() }) }, async ({ identity, input, setTarget }) => {
  setTarget("technitium split horizon + rebinding protection");
  return runSync("split-horizon", { trigger: "button", user: identity.user, wait: input.wait });
});
