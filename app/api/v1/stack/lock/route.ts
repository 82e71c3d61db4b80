import { route } from "@/server/http/guard";
import { getStackLock } from "@/server/stack/run-verbs";

// GET /api/v1/stack/lock – who holds the stack lock right now (null when free)
export const dynamic = "force-dynamic";

export const GET = route(getStackLock);
