import { route } from "@/server/http/guard";
import { zonesConsistency } from "@/server/records/verbs";

// GET /api/v1/consistency?names= – records (PTR pairs, CNAME chains, replicas' copies) and Split Horizon against the public answers
export const GET = route(zonesConsistency);
