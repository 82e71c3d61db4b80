import { whoami } from "@/server/auth/whoami";
import { route } from "@/server/http/guard";

// GET /api/v1/whoami – the caller's identity as dnsdeck resolved it.
export const GET = route(whoami);
