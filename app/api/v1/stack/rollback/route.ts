import { route } from "@/server/http/guard";
import { rollbackStack } from "@/server/stack/run-verbs";

// POST /api/v1/stack/rollback – re-apply an earlier apply run's config (`toRun`) through the same apply path (becomes the desired config)
export const dynamic = "force-dynamic";

export const POST = route(rollbackStack);
