import { route } from "@/server/http/guard";
import { traceInputSchema } from "@/server/trace/schemas";
import { traceName } from "@/server/trace/trace";

// POST /api/v1/trace – send one name through every hop of a client class's path over real DNS (read-only: viewer)
export const POST = route({ role: "viewer", action: "trace.run", input: traceInputSchema }, ({ input, setTarget }) => {
  setTarget(`${input.name} as ${input.clientClass}${input.node ? ` on ${input.node}` : ""}`);
  return traceName(input);
});
