import { z } from "zod";
import { route } from "@/server/http/guard";
import { runSync } from "@/server/sync/service";

// POST /api/v1/sync/zones – zone sync (create missing Secondaries, resync laggards, verify); body {removeOrphans?, wait?}
export const POST = route(
  { role: "operator", action: "sync.zones", input: z.object({ removeOrphans: z.boolean().optional(), wait: z.boolean().optional() }) },
  async ({ identity, input, setTarget }) => {
    setTarget("technitium zones");
    return runSync("zones", { trigger: "button", user: identity.user, removeOrphans: input.removeOrphans, wait: input.wait });
  },
);
