import { z } from "zod";
import { getApply, startRollback } from "@/server/stack/apply";
import { route } from "@/server/http/guard";

// POST /api/v1/stack/rollback – re-apply an earlier revision's config through the same apply path (becomes the desired config)
export const dynamic = "force-dynamic";

const input = z.object({
  revision: z.number().int().positive(),
  /** The run being undone: its objects are re-applied with the old config too. */
  undo: z.number().int().positive().optional(),
  takeOwnership: z.boolean().optional(),
  wait: z.boolean().optional(),
});

export const POST = route({ role: "admin", action: "stack.rollback", input }, async ({ identity, input, setTarget }) => {
  const { id, done } = await startRollback({ user: identity.user, revision: input.revision, undo: input.undo, takeOwnership: input.takeOwnership === true });
  setTarget(`stack revision ${id} (rollback to ${input.revision})`);
  if (input.wait) return await done;
  return { ...(await getApply(id)), poll: `/api/v1/stack/revisions/${id}` };
});
