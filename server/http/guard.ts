import "server-only";
import { cookies, headers } from "next/headers";
import type { z } from "zod";
import { recordAudit } from "@/server/audit/record";
import { identityConfig } from "@/server/auth/config";
import { DEMO_ROLE_COOKIE, type Identity, resolveIdentity } from "@/server/auth/identity";
import { type Role, roleAtLeast } from "@/server/auth/roles";
import { AppError, toAppError } from "@/server/errors";
import { zodIssues } from "./zod-issues";

/**
 * The one wrapper every route handler and server action is built from: identity → role → zod-parsed input → run →
 * audit row → error mapping. Reads (GET) audit only refusals; every other call audits its outcome. Handlers never
 * see a request that failed any of these steps.
 */

export interface GuardContext<I> {
  identity: Identity;
  input: I;
  request?: Request;
  /** Name what the call touched, for the audit row (e.g. "configmap kube-system/coredns"). */
  setTarget(target: string): void;
}

interface Spec<S extends z.ZodType> {
  role: Role;
  /** Audit action name, e.g. "stack.apply". */
  action: string;
  input?: S;
  /** Where a route reads its input: the query string (default for GET) or a JSON body (default otherwise). */
  from?: "query" | "json";
}

type RouteParams = { params: Promise<Record<string, string | string[]>> };

export function route<S extends z.ZodType = z.ZodType<undefined>>(
  spec: Spec<S>,
  handler: (ctx: GuardContext<z.infer<S>>) => Promise<unknown>,
): (request: Request, rp?: RouteParams) => Promise<Response> {
  return async (request, rp) => {
    const started = performance.now();
    const mutation = request.method !== "GET" && request.method !== "HEAD";
    let target: string | undefined;
    let rawInput: unknown;
    const jar = await cookies().catch(() => undefined);
    const who = resolveIdentity(request.headers, jar?.get(DEMO_ROLE_COOKIE)?.value, identityConfig());

    const finish = async (status: number, body: unknown, identity?: Identity, error?: string) => {
      const refused = status === 401 || status === 403 || (status === 400 && !identity);
      if (mutation || refused) {
        await recordAudit({
          user: identity?.user ?? (who.ok ? who.identity.user : (who.user ?? "anonymous")),
          role: identity?.role ?? null,
          action: spec.action,
          target,
          input: rawInput,
          result: status < 400 ? "ok" : status === 401 || status === 403 ? "refused" : "failed",
          httpStatus: status,
          durationMs: performance.now() - started,
          error,
          via: "route",
        });
      }
      if (body instanceof Response) return body;
      return Response.json(body, { status, headers: { "cache-control": "no-store" } });
    };

    if (!who.ok) return finish(who.status, { error: { code: who.status === 401 ? "unauthenticated" : "forbidden", message: who.reason } }, undefined, who.reason);
    const identity = who.identity;
    if (mutation) {
      const crossSite = crossSiteReason(request.headers);
      if (crossSite) return finish(403, { error: { code: "forbidden", message: crossSite } }, identity, crossSite);
    }
    if (!roleAtLeast(identity.role, spec.role)) {
      const message = `${spec.action} needs the ${spec.role} role; you are ${identity.role}`;
      return finish(403, { error: { code: "forbidden", message } }, identity, message);
    }
    try {
      const from = spec.from ?? (mutation ? "json" : "query");
      rawInput = from === "query" ? queryObject(new URL(request.url).searchParams) : await readJson(request);
      if (rp?.params) rawInput = { ...(rawInput as object), ...(await rp.params) };
      const input = spec.input ? parseOrThrow(spec.input, rawInput) : (undefined as z.infer<S>);
      const result = await handler({ identity, input, request, setTarget: (t) => (target = t) });
      return finish(200, result, identity);
    } catch (err) {
      const e = toAppError(err);
      if (e.code === "internal") console.error(`[${spec.action}]`, err);
      return finish(e.status, { error: { code: e.code, message: e.message, details: e.details } }, identity, e.message);
    }
  };
}

export type ActionResult<T> = { ok: true; data: T } | { ok: false; error: { code: string; message: string; fields?: Record<string, string> } };

/** Server actions: the same steps; the result is a value, never a thrown error, so forms can show it. */
export function action<S extends z.ZodType, T>(spec: Spec<S>, handler: (ctx: GuardContext<z.infer<S>>) => Promise<T>): (raw: unknown) => Promise<ActionResult<T>> {
  return async (raw) => {
    const started = performance.now();
    const h = await headers();
    const jar = await cookies();
    const who = resolveIdentity(h, jar.get(DEMO_ROLE_COOKIE)?.value, identityConfig());
    let target: string | undefined;
    const audit = (result: "ok" | "refused" | "failed", identity: Identity | undefined, error?: string) =>
      recordAudit({
        user: identity?.user ?? (who.ok ? who.identity.user : (who.user ?? "anonymous")),
        role: identity?.role ?? null,
        action: spec.action,
        target,
        input: raw,
        result,
        durationMs: performance.now() - started,
        error,
        via: "action",
      });
    if (!who.ok) {
      await audit("refused", undefined, who.reason);
      return { ok: false, error: { code: who.status === 401 ? "unauthenticated" : "forbidden", message: who.reason } };
    }
    const crossSite = crossSiteReason(h);
    if (crossSite) {
      await audit("refused", who.identity, crossSite);
      return { ok: false, error: { code: "forbidden", message: crossSite } };
    }
    if (!roleAtLeast(who.identity.role, spec.role)) {
      const message = `${spec.action} needs the ${spec.role} role; you are ${who.identity.role}`;
      await audit("refused", who.identity, message);
      return { ok: false, error: { code: "forbidden", message } };
    }
    try {
      const input = spec.input ? parseOrThrow(spec.input, raw) : (undefined as z.infer<S>);
      const data = await handler({ identity: who.identity, input, setTarget: (t) => (target = t) });
      await audit("ok", who.identity);
      return { ok: true, data };
    } catch (err) {
      const e = toAppError(err);
      if (e.code === "internal") console.error(`[${spec.action}]`, err);
      await audit("failed", who.identity, e.message);
      const fields = e.code === "bad_request" ? fieldMap(e.details) : undefined;
      return { ok: false, error: { code: e.code, message: e.message, fields } };
    }
  };
}

function parseOrThrow<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issues = zodIssues(r.error);
    throw new AppError("bad_request", issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; "), issues);
  }
  return r.data;
}

function fieldMap(details: unknown): Record<string, string> | undefined {
  if (!Array.isArray(details)) return undefined;
  const out: Record<string, string> = {};
  for (const d of details as { path?: string; message?: string }[]) if (d.path && d.message && !out[d.path]) out[d.path] = d.message;
  return out;
}

/** Refuse browser requests sent from another site (CSRF). Automation without Origin/Sec-Fetch headers passes. */
export function crossSiteReason(h: { get(name: string): string | null }): string | null {
  if (h.get("sec-fetch-site") === "cross-site") return "cross-site request refused";
  const origin = h.get("origin");
  if (!origin || origin === "null") return origin === "null" ? "cross-site request refused (opaque origin)" : null;
  const host = h.get("x-forwarded-host") ?? h.get("host");
  try {
    if (new URL(origin).host !== host) return `cross-site request refused: origin ${origin} is not this site`;
  } catch {
    return "cross-site request refused: bad Origin header";
  }
  return null;
}

function queryObject(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const key of new Set(params.keys())) {
    const all = params.getAll(key);
    out[key] = all.length > 1 ? all : all[0];
  }
  return out;
}

async function readJson(request: Request): Promise<unknown> {
  const text = await request.text();
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("bad_request", "the request body is not valid JSON");
  }
}
