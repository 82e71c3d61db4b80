import { route } from "@/server/http/guard";
import { addZoneRecord, listZoneRecords } from "@/server/records/verbs";

// GET /api/v1/zones/:zone/records?name=&type=&q= – records on the primary, each with owner and presence per instance
export const GET = route(listZoneRecords);
// POST /api/v1/zones/:zone/records – {name, type, ttl, value, ptr?, force?, wait?} → the run (wait: with its verdict)
export const POST = route(addZoneRecord);
