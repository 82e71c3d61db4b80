import { route } from "@/server/http/guard";
import { listQueryLogs } from "@/server/querylogs/service";

// GET /api/v1/query-logs – Technitium query-log rows, newest first, keyset-paged (?from&to&server&client&clientKind&clientName&qname&qtype&rcode&responseType&protocol&cursor&limit&count&ahead; ahead=1 adds the next page; ?after=id for the live tail)
export const GET = route(listQueryLogs);
