import { z } from "zod";
import { getApply, startApply } from "@/server/stack/apply";
import { route } from "@/server/http/guard";

// POST /api/v1/stack/apply – apply a config revision (default: current) object by object with rollout health gate; returns the run id to poll
export const dynamic = "force-dynamic";

const input = z.object({
  revision: z.number().int().positive().optional(),
  takeOwnership: z.boolean().optional(),
  objects: z.array(z.string().min(1)).min(1, "name at least one object, or leave objects out to apply the whole stack").max(100).optional(),
  /** Wait for the run to finish before answering (automation); the UI polls instead. */
  wait: z.boolean().optional(),
});

export const POST = route({ role: "admin", action: "stack.apply", input }, async ({ identity, input, setTarget }) => {
  const { id, done } = await startApply({ user: identity.user, revision: input.revision, takeOwnership: input.takeOwnership === true, objects: input.objects });
  setTarget(`stack revision ${id}${input.takeOwnership ? " (take ownership)" : ""}`);
  if (input.wait) return await done;
  return { ...(await getApply(id)), poll: `/api/v1/stack/revisions/${id}` };
});
