import { route } from "@/server/http/guard";
import { readTimeline } from "@/server/prometheus/verbs";

// GET /api/v1/timeline?range=1h | ?from&to – applies, rollbacks, Corefile changes, syncs and CronJob runs as chart markers
export const dynamic = "force-dynamic";

export const GET = route(readTimeline);
