import { z } from "zod";
import { restartWorkload } from "@/server/stack/restart";
import { route } from "@/server/http/guard";

// POST /api/v1/stack/restart – rollout restart of a DaemonSet/Deployment (field manager dnsdeck-restart, so applies keep it)
export const dynamic = "force-dynamic";

const name = z.string().regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/).max(253);
const input = z.object({ kind: z.enum(["DaemonSet", "Deployment"]), namespace: name, name });

export const POST = route({ role: "admin", action: "stack.restart", input }, async ({ identity, input, setTarget }) => {
  setTarget(`${input.kind} ${input.namespace}/${input.name}`);
  return restartWorkload({ user: identity.user, ...input });
});
