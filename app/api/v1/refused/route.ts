import { answerRefusal } from "@/server/http/refused";

// POST /api/v1/refused – internal: server-action posts server/start.mjs refused (cross-site, malformed) are answered and audited here
export const dynamic = "force-dynamic";

export const POST = answerRefusal;
export const GET = answerRefusal;
