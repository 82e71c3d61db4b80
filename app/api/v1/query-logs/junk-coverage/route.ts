import { readJunkCoverage } from "@/server/clients/junk";
import { route } from "@/server/http/guard";

// GET /api/v1/query-logs/junk-coverage?from&to&server – queries matching CoreDNS's ndots template that still reached Technitium, by path, before/after the last Corefile change
export const dynamic = "force-dynamic";

export const GET = route(readJunkCoverage);
