import "server-only";
import { z } from "zod";
import { CLIENT_KINDS } from "@/k8s/clients";
import { safeText } from "@/k8s/schemas";
import { verb } from "@/server/verb";
import { directoryStatus, searchDirectory } from "./directory";

export const clientSearchSchema = z.object({
  q: safeText(100).optional(),
  kind: z.enum(CLIENT_KINDS, { error: `unknown client kind; use one of ${CLIENT_KINDS.join(", ")}` }).optional(),
  page: z.coerce.number().int().min(1).max(10_000).default(1),
  pageSize: z.coerce.number().int().min(1).max(200).default(50),
});

/** GET /api/v1/clients?q=&kind=&page= — the client directory: who each address is or was, and how fresh that is. */
export const searchClients = verb({ name: "clients.search", role: "viewer", input: clientSearchSchema }, async (_ctx, p) => {
  const [result, status] = await Promise.all([searchDirectory(p), directoryStatus()]);
  return { ...result, status };
});
