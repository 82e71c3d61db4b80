import { readCauses } from "@/server/clients/causes";
import { route } from "@/server/http/guard";

// GET /api/v1/query-logs/causes?from&to&server – NXDOMAIN/SERVFAIL causes with their fixes, and failing clients by kind
export const dynamic = "force-dynamic";

export const GET = route(readCauses);
