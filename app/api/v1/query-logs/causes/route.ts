import { readCauses } from "@/server/clients/causes";
import { route } from "@/server/http/guard";

// GET /api/v1/query-logs/causes?from&to&server&examples=with|none – NXDOMAIN/SERVFAIL causes with their fixes, and failing
// clients by kind (examples=none: the counts only, no example names or clients)
export const dynamic = "force-dynamic";

export const GET = route(readCauses);
