import { route } from "@/server/http/guard";
import { listZones } from "@/server/records/verbs";

// GET /api/v1/zones – zones on the primary: type, record count, SOA serial per instance (API and DNS), transfer/notify/update options
export const GET = route(listZones);
