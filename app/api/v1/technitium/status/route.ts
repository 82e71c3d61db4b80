import { route } from "@/server/http/guard";
import { getTechnitiumStatus } from "@/server/technitium/verbs";

// GET /api/v1/technitium/status – the instances side by side with per-zone convergence verdicts and disagreements
export const GET = route(getTechnitiumStatus);
