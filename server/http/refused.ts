import "server-only";
import { cookies } from "next/headers";
import { z } from "zod";
import { recordAudit, recordRefusal } from "@/server/audit/record";
import { contextFromRequest } from "@/server/auth/ctx";
import { DEMO_ROLE_COOKIE } from "@/server/auth/identity";

const refusal = z.object({ status: z.union([z.literal(400), z.literal(403)]), reason: z.string().max(500) });

/**
 * Requests server/start.mjs refused before Next could fail them (cross-site or malformed server-action posts) arrive
 * here with the reason in `x-dnsdeck-refusal` (a header clients cannot send: start.mjs deletes client-sent
 * `x-dnsdeck-*`). One audit row — the caller's own when they have an identity, else aggregated — and a clear 4xx.
 */
export async function answerRefusal(request: Request): Promise<Response> {
  let parsed: z.infer<typeof refusal> | null = null;
  try {
    parsed = refusal.parse(JSON.parse(request.headers.get("x-dnsdeck-refusal") ?? "null"));
  } catch {
    parsed = null;
  }
  if (!parsed) return Response.json({ error: { code: "not_found", message: "nothing here" } }, { status: 404 });
  const jar = await cookies().catch(() => undefined);
  const who = await contextFromRequest(request.headers, jar?.get(DEMO_ROLE_COOKIE)?.value, "action");
  if (who.ok) {
    const { identity } = who.ctx;
    await recordAudit({ user: identity.user, role: identity.role, action: "server-action", result: "refused", httpStatus: parsed.status, durationMs: 0, error: parsed.reason, via: "action" });
  } else await recordRefusal({ source: who.peer, user: who.user, reason: parsed.reason, action: "server-action", via: "action", httpStatus: parsed.status });
  const code = parsed.status === 403 ? "forbidden" : "bad_request";
  return Response.json({ error: { code, message: parsed.reason } }, { status: parsed.status, headers: { "cache-control": "no-store" } });
}
