import { route } from "@/server/http/guard";
import { restartStackWorkload } from "@/server/stack/run-verbs";

// POST /api/v1/stack/restart – rollout restart of a DaemonSet/Deployment (field manager dnsdeck-restart, so applies keep it)
export const dynamic = "force-dynamic";

export const POST = route(restartStackWorkload);
