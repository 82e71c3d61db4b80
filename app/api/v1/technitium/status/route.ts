import { route } from "@/server/http/guard";
import { technitiumStatus } from "@/server/technitium/status";

// GET /api/v1/technitium/status – the instances side by side with per-zone convergence verdicts and disagreements
export const GET = route({ role: "viewer", action: "technitium.status" }, () => technitiumStatus());
