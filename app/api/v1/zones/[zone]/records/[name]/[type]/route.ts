import { route } from "@/server/http/guard";
import { deleteZoneRecord, updateZoneRecord } from "@/server/records/verbs";

// PUT /api/v1/zones/:zone/records/:name/:type – {current, value, ttl, ptr?, force?, wait?}; 409 with the current values when `current` is stale
export const PUT = route(updateZoneRecord);
// DELETE /api/v1/zones/:zone/records/:name/:type – {value (or current), force?, wait?}
export const DELETE = route(deleteZoneRecord);
