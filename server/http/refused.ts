import "server-only";
import { cookies } from "next/headers";
import { z } from "zod";
import { recordAudit, recordRefusal } from "@/server/audit/record";
import { contextFromRequest } from "@/server/auth/ctx";
import { DEMO_ROLE_COOKIE } from "@/server/auth/identity";
import { env } from "@/server/env";
import { openRefusal } from "./refusal-token";

const refusal = z.object({
  status: z.union([z.literal(400), z.literal(401), z.literal(403)]),
  reason: z.string().max(500),
  /** Set for page requests refused by proxy.ts: answered as a small HTML page. */
  page: z.string().max(200).optional(),
});

/**
 * Requests refused before Next.js renders anything arrive here with the reason: page requests from callers without
 * an identity (proxy.ts; sealed in `?r=` with the per-process secret) and cross-site or malformed server-action posts
 * (start.mjs; in `x-dnsdeck-refusal`, a header clients cannot send: start.mjs deletes client-sent `x-dnsdeck-*`). One audit row — the caller's own
 * when they have an identity, else aggregated per source, reason and minute — and a clear 4xx with no data.
 */
export async function answerRefusal(request: Request): Promise<Response> {
  let parsed: z.infer<typeof refusal> | null = null;
  try {
    const sealed = openRefusal(new URL(request.url).searchParams.get("r"));
    parsed = refusal.parse(sealed ?? JSON.parse(request.headers.get("x-dnsdeck-refusal") ?? "null"));
  } catch {
    parsed = null;
  }
  if (!parsed) return Response.json({ error: { code: "not_found", message: "nothing here" } }, { status: 404 });
  const action = parsed.page !== undefined ? `page ${parsed.page}` : "server-action";
  const via = parsed.page !== undefined ? "page" : "action";
  const jar = await cookies().catch(() => undefined);
  const who = await contextFromRequest(request.headers, jar?.get(DEMO_ROLE_COOKIE)?.value, via);
  if (who.ok) {
    const { identity } = who.ctx;
    await recordAudit({ user: identity.user, role: identity.role, action, result: "refused", httpStatus: parsed.status, durationMs: 0, error: parsed.reason, via });
  } else await recordRefusal({ source: who.peer, user: who.user, reason: parsed.reason, action, via, httpStatus: parsed.status });
  const headers = { "cache-control": "no-store" };
  if (parsed.page !== undefined) return new Response(gatePage(parsed.status, parsed.reason), { status: parsed.status, headers: { ...headers, "content-type": "text/html; charset=utf-8" } });
  const code = parsed.status === 403 ? "forbidden" : parsed.status === 401 ? "unauthenticated" : "bad_request";
  return Response.json({ error: { code, message: parsed.reason } }, { status: parsed.status, headers });
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The same words as app/unauthorized.tsx and app/forbidden.tsx, without anything else. */
function gatePage(status: number, reason: string): string {
  const e = env();
  const body =
    status === 403
      ? `<h1>403 — no access</h1><p>You are signed in, but none of your Authentik groups maps to a dnsdeck role. Ask an admin to add you to one.</p><p><a href="${escape(e.AUTHENTIK_SIGNOUT_PATH)}">Sign out</a></p>`
      : `<h1>401 — not signed in</h1><p>dnsdeck only trusts identities that arrive through Authentik. Open dnsdeck through its public address so Authentik can sign you in.</p><p><a href="/outpost.goauthentik.io/start">Sign in through Authentik</a></p>`;
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>dnsdeck</title><meta name="viewport" content="width=device-width, initial-scale=1"><style>body{font-family:system-ui,sans-serif;background:#0f1419;color:#e6e6e6;display:grid;place-items:center;min-height:90vh;margin:0}main{max-width:36rem;padding:2rem}a{color:#6cb6ff}small{color:#8b949e}</style></head><body><main>${body}<p><small>${escape(reason)}</small></p></main></body></html>`;
}
