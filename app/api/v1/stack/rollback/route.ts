import { route } from "@/server/http/guard";
import { rollbackStack } from "@/server/stack/run-verbs";

// POST /api/v1/stack/rollback – re-apply an earlier revision's config through the same apply path (becomes the desired config)
export const dynamic = "force-dynamic";

export const POST = route(rollbackStack);
