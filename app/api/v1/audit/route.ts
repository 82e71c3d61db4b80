import { listAudit } from "@/server/audit/list";
import { route } from "@/server/http/guard";

// GET /api/v1/audit – the audit log, newest first; ?user&action&result&before&limit
export const GET = route(listAudit);
