import { getPaths } from "@/server/architecture/verbs";
import { route } from "@/server/http/guard";

// GET /api/v1/paths – one mermaid diagram per client class, drawn from the current config and whether NodeLocal is deployed
export const GET = route(getPaths);
