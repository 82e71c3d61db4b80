import { explainNdots } from "@/server/architecture/verbs";
import { route } from "@/server/http/guard";

// GET /api/v1/paths/ndots?name&namespace – search-list expansions under ndots 5 and the cluster's ndots, with query-log evidence
export const GET = route(explainNdots);
