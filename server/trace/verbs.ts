import "server-only";
import { verb } from "@/server/verb";
import { traceInputSchema } from "./schemas";
import { traceName } from "./trace";

/** Send one name through every hop of a client class's path over real DNS. Read-only (viewer), not audited. */
export const runTrace = verb({ name: "trace.run", role: "viewer", input: traceInputSchema }, (_ctx, input) => traceName(input));
