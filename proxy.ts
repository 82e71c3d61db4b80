import { type NextRequest, NextResponse } from "next/server";
import { identityConfig } from "@/server/auth/config";
import { DEMO_ROLE_COOKIE, resolveIdentity } from "@/server/auth/identity";
import { sealRefusal } from "@/server/http/refusal-token";

/**
 * Pages only (API routes do their own check in the route wrapper): a caller the identity check refuses never reaches
 * the page renderer, so the answer is a real 401/403 for every kind of page request — HTML, RSC, router prefetch,
 * server-action post — where Next would stream a 200 RSC payload carrying only the 401 boundary. The refusal is
 * answered (and audited, aggregated) by /api/v1/refused. This is not the check that guards data: every page still
 * calls pageContext() and reads only through verbs.
 */
export async function proxy(request: NextRequest) {
  const who = await resolveIdentity(request.headers, request.cookies.get(DEMO_ROLE_COOKIE)?.value, identityConfig());
  if (who.ok) return NextResponse.next();
  const to = new URL("/api/v1/refused", request.url);
  to.search = `?r=${sealRefusal({ status: who.status, reason: who.reason, page: request.nextUrl.pathname.slice(0, 200) })}`;
  return NextResponse.rewrite(to);
}

export const config = { matcher: ["/((?!api/|_next/static|_next/image|favicon\\.ico).*)"] };
