import { getArchitecture } from "@/server/architecture/verbs";
import { route } from "@/server/http/guard";

// GET /api/v1/architecture – the DNS estate as a mermaid graph + per-node health, from the stack config and live state
export const GET = route(getArchitecture);
