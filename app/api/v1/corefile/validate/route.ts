import { route } from "@/server/http/guard";
import { checkCorefile } from "@/server/stack/config-verbs";

// POST /api/v1/corefile/validate – parse and check a CoreDNS or NodeLocal Corefile; errors carry line and column
export const dynamic = "force-dynamic";

export const POST = route(checkCorefile);
