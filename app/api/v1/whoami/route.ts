import { route } from "@/server/http/guard";

// GET /api/v1/whoami – the caller's identity as dnsdeck resolved it.
export const GET = route({ role: "viewer", action: "whoami" }, async ({ identity }) => ({
  user: identity.user,
  groups: identity.groups,
  role: identity.role,
}));
