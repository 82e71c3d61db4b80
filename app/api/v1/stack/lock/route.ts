import { currentLock, displayHolder } from "@/server/stack/lock";
import { route } from "@/server/http/guard";

// GET /api/v1/stack/lock – who holds the stack lock right now (null when free)
export const dynamic = "force-dynamic";

export const GET = route({ role: "viewer", action: "stack.lock" }, async () => {
  const l = await currentLock();
  return { lock: l ? { holder: displayHolder(l.holder), operation: l.operation, acquiredAt: l.acquiredAt, expiresAt: l.expiresAt } : null };
});
