import "server-only";
import { cookies, headers } from "next/headers";
import { recordAudit, recordRefusal } from "@/server/audit/record";
import { type Ctx, contextFromRequest } from "@/server/auth/ctx";
import { DEMO_ROLE_COOKIE } from "@/server/auth/identity";
import { AppError, errorBody, toAppError } from "@/server/errors";
import type { AnyVerb } from "@/server/verb";
import { readJsonBody } from "./body";
import { crossSiteReason } from "./csrf";

/**
 * The two thin doors from HTTP to verbs. `route(verb)` for route handlers, `action(verb)` for server actions:
 * identity → Ctx → CSRF check → bounded body → the verb (which checks the role, parses the input with its schema and
 * audits) → one error mapping (server/errors.ts). Nothing else happens here.
 */

type RouteParams = { params: Promise<Record<string, string | string[]>> };

const json = (status: number, body: unknown) => Response.json(body, { status, headers: { "cache-control": "no-store" } });

/** Answer a refused identity (401/403): one aggregated audit row, the reason and nothing else. */
async function refuseIdentity(r: { status: 401 | 403; reason: string; user?: string; peer?: string; requestId: string }, action: string, via: "route" | "action") {
  await recordRefusal({ source: r.peer, user: r.user, reason: r.reason, action, via, httpStatus: r.status });
  return new AppError(r.status === 401 ? "unauthenticated" : "forbidden", r.reason);
}

async function refuseCrossSite(ctx: Ctx, action: string, reason: string) {
  await recordAudit({ user: ctx.identity.user, role: ctx.identity.role, action, result: "refused", httpStatus: 403, durationMs: 0, error: reason, via: ctx.via });
  return new AppError("forbidden", reason);
}

export function route<T>(v: AnyVerb<T>, opts: { from?: "query" | "json" } = {}) {
  const name = v.spec.name;
  return async (request: Request, rp?: RouteParams): Promise<Response> => {
    const jar = await cookies().catch(() => undefined);
    const who = await contextFromRequest(request.headers, jar?.get(DEMO_ROLE_COOKIE)?.value, "route");
    if (!who.ok) {
      const e = await refuseIdentity(who, name, "route");
      return json(e.status, errorBody(e, who.requestId));
    }
    const ctx = who.ctx;
    const mutation = request.method !== "GET" && request.method !== "HEAD";
    try {
      const crossSite = mutation ? crossSiteReason(request.headers) : null;
      if (crossSite) throw await refuseCrossSite(ctx, name, crossSite);
      const from = opts.from ?? (mutation ? "json" : "query");
      let raw: unknown;
      try {
        raw = from === "query" ? queryObject(new URL(request.url).searchParams) : await readJsonBody(request);
      } catch (err) {
        const e = toAppError(err);
        if (mutation) await recordAudit({ user: ctx.identity.user, role: ctx.identity.role, action: name, result: "refused", httpStatus: e.status, durationMs: 0, error: e.message, via: "route" });
        throw e;
      }
      if (rp?.params) raw = { ...(typeof raw === "object" && raw !== null && !Array.isArray(raw) ? raw : { body: raw }), ...(await rp.params) };
      const result = await v(ctx, raw);
      return result instanceof Response ? result : json(200, result);
    } catch (err) {
      const e = toAppError(err, ctx.requestId);
      if (e.code === "internal") console.error(`[${name} ${ctx.requestId}]`, err);
      return json(e.status, errorBody(e, ctx.requestId));
    }
  };
}

export type ActionResult<T> = { ok: true; data: T } | { ok: false; error: { code: string; message: string; fields?: Record<string, string>; ref?: string } };

/**
 * Server actions: the same steps; the result is a value, never a thrown error, so forms can show it. Next parses
 * the body before the action runs, bounded by `serverActions.bodySizeLimit` (next.config.mjs) and server/start.mjs.
 */
export function action<T>(v: AnyVerb<T>): (raw: unknown) => Promise<ActionResult<T>> {
  const name = v.spec.name;
  return async (raw) => {
    const h = await headers();
    const jar = await cookies();
    const who = await contextFromRequest(h, jar.get(DEMO_ROLE_COOKIE)?.value, "action");
    if (!who.ok) {
      const e = await refuseIdentity(who, name, "action");
      return { ok: false, error: { code: e.code, message: e.message, ref: who.requestId } };
    }
    try {
      const crossSite = crossSiteReason(h);
      if (crossSite) throw await refuseCrossSite(who.ctx, name, crossSite);
      return { ok: true, data: await v(who.ctx, raw) };
    } catch (err) {
      const e = toAppError(err, who.ctx.requestId);
      if (e.code === "internal") console.error(`[${name} ${who.ctx.requestId}]`, err);
      const fields = e.code === "bad_request" ? fieldMap(e.details) : undefined;
      return { ok: false, error: { code: e.code, message: e.message, fields, ref: who.ctx.requestId } };
    }
  };
}

function fieldMap(details: unknown): Record<string, string> | undefined {
  if (!Array.isArray(details)) return undefined;
  const out: Record<string, string> = {};
  for (const d of details as { path?: string; message?: string }[]) if (d.path && d.message && !out[d.path]) out[d.path] = d.message;
  return out;
}

/** A query string as the object a verb's schema parses (a repeated key becomes an array). */
export function queryObject(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const all = params.getAll(key);
    out[key] = all.length > 1 ? all : all[0];
  }
  return out;
}

