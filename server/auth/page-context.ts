import "server-only";
import { cookies, headers } from "next/headers";
import { forbidden, unauthorized } from "next/navigation";
import { recordRefusal } from "@/server/audit/record";
import { type Ctx, contextFromRequest } from "./ctx";
import { DEMO_ROLE_COOKIE } from "./identity";

/**
 * The context of the page being rendered. Every page calls this before it reads anything; a caller who may not see
 * the page gets Next's 401/403 boundary (app/unauthorized.tsx, app/forbidden.tsx) — for HTML, RSC and prefetch
 * requests alike — and nothing the page would have read is fetched. The refusal is audited (aggregated per minute).
 */
export async function pageContext(path = "page"): Promise<Ctx> {
  const h = await headers();
  const jar = await cookies();
  const r = await contextFromRequest(h, jar.get(DEMO_ROLE_COOKIE)?.value, "page");
  if (r.ok) return r.ctx;
  await recordRefusal({ source: r.peer, user: r.user, reason: r.reason, action: `page ${path}`, via: "page", httpStatus: r.status });
  if (r.status === 403) forbidden();
  unauthorized();
}
