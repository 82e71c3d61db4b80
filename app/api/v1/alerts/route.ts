import { route } from "@/server/http/guard";
import { readAlerts } from "@/server/prometheus/verbs";

// GET /api/v1/alerts – every alerting rule with its state (inactive / pending / firing), since when, value and the page that fixes it
export const dynamic = "force-dynamic";

export const GET = route(readAlerts);
