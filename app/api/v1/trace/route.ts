import { route } from "@/server/http/guard";
import { runTrace } from "@/server/trace/verbs";

// POST /api/v1/trace – send one name through every hop of a client class's path over real DNS (read-only: viewer)
export const POST = route(runTrace);
