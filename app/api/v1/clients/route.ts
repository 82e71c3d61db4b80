import { searchClients } from "@/server/clients/verbs";
import { route } from "@/server/http/guard";

// GET /api/v1/clients?q=&kind=&page=&pageSize= – the client directory: pods, nodes, pfSense, LAN/VPN devices by address or name, with history
export const dynamic = "force-dynamic";

export const GET = route(searchClients);
