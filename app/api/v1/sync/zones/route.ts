import { route } from "@/server/http/guard";
import { syncZones } from "@/server/sync/verbs";

// POST /api/v1/sync/zones – zone sync (create missing Secondaries, resync laggards, verify); body {removeOrphans?, wait?}
export const POST = route(syncZones);
