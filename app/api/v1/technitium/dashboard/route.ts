import { route } from "@/server/http/guard";
import { readTechnitiumDashboard } from "@/server/prometheus/verbs";

// GET /api/v1/technitium/dashboard – Technitium's own dashboard numbers per instance (last hour)
export const dynamic = "force-dynamic";

export const GET = route(readTechnitiumDashboard);
