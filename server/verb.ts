import "server-only";
import type { z } from "zod";
import { type AuditResult, auditIntent, auditOutcome, recordAudit } from "@/server/audit/record";
import { type Ctx, isCtx } from "@/server/auth/ctx";
import { type Role, roleAtLeast } from "@/server/auth/roles";
import { AppError, REFUSAL_CODES, toAppError } from "@/server/errors";
import { zodIssues } from "@/server/http/zod-issues";

/**
 * The verb factory: every server operation that reads or changes anything is a verb, and pages, routes, actions and
 * the CLI call nothing else. Calling `someVerb(ctx, raw)`:
 *   1. refuses anything that is not a minted Ctx (server/auth/ctx.ts) — a hand-built identity gets nowhere;
 *   2. checks the caller's role (403 + an audit row, no data);
 *   3. parses `raw` with the verb's zod schema, so every caller is bounded (400, nothing done);
 *   4. mutations (`audit: true`): writes the audit intent row BEFORE acting — if it cannot be written, nothing runs
 *      and the caller gets 503 — then runs, then records the outcome (ok | partial | failed | refused).
 */
export type Outcome = Exclude<AuditResult, "pending" | "refused">;

export interface VerbSpec<S extends z.ZodType = z.ZodType> {
  /** Audit action name, e.g. "stack.apply". */
  name: string;
  role: Role;
  input?: S;
  /** A mutation: audited intent-before-act and outcome. */
  audit?: boolean;
}

export interface VerbTools {
  /** Name what the call touches, for the audit row (e.g. "configmap kube-system/coredns"). */
  target(text: string): void;
  /**
   * For runs that go on after the verb returns (apply, syncs): the audit row stays `pending` and the returned
   * function records the final outcome when the run ends.
   */
  defer(): (outcome: Outcome, detail?: { error?: string | null; target?: string }) => Promise<void>;
}

export type Verb<S extends z.ZodType, T> = ((ctx: Ctx, raw?: unknown) => Promise<T>) & { readonly spec: VerbSpec<S> };
/** Any verb, whatever its schema (what the wrappers accept). */
export type AnyVerb<T = unknown> = ((ctx: Ctx, raw?: unknown) => Promise<T>) & { readonly spec: VerbSpec };

interface Options<T> {
  /** How a successful result is audited (e.g. a sync whose run ended partial). Default ok. */
  outcome?: (result: T) => Outcome;
}

const registry: VerbSpec[] = [];
/** Every verb defined so far (tests enumerate them). */
export const verbs = (): readonly VerbSpec[] => registry;

export function verb<S extends z.ZodType, T>(
  spec: VerbSpec<S>,
  run: (ctx: Ctx, input: z.output<S>, tools: VerbTools) => Promise<T>,
  opts: Options<T> = {},
): Verb<S, T> {
  registry.push(spec as VerbSpec);
  const call = async (ctx: Ctx, raw?: unknown): Promise<T> => {
    if (!isCtx(ctx)) throw new AppError("internal", `${spec.name} was called without a caller context`);
    const started = performance.now();
    const { identity } = ctx;
    const base = { user: identity.user, role: identity.role, action: spec.name, via: ctx.via };
    if (!roleAtLeast(identity.role, spec.role)) {
      const message = `${spec.name} needs the ${spec.role} role; you are ${identity.role}`;
      await recordAudit({ ...base, input: raw, result: "refused", httpStatus: 403, durationMs: performance.now() - started, error: message });
      throw new AppError("forbidden", message);
    }
    let input: z.output<S>;
    try {
      input = spec.input ? parse(spec.input, raw) : (undefined as z.output<S>);
    } catch (err) {
      if (spec.audit) await recordAudit({ ...base, input: raw, result: "refused", httpStatus: 400, durationMs: performance.now() - started, error: (err as Error).message });
      throw err;
    }
    if (!spec.audit) return run(ctx, input, { target: () => {}, defer: () => async () => {} });

    let target: string | undefined;
    let deferred = false;
    const id = await auditIntent({ ...base, input: raw });
    const settle = (result: Exclude<AuditResult, "pending">, detail: { error?: string | null; target?: string; httpStatus?: number } = {}) =>
      auditOutcome(id, { result, durationMs: performance.now() - started, target: detail.target ?? target, error: detail.error, httpStatus: detail.httpStatus });
    const tools: VerbTools = {
      target: (t) => void (target = t),
      defer: () => {
        deferred = true;
        return (outcome, detail) => settle(outcome, { ...detail, httpStatus: 200 });
      },
    };
    try {
      const result = await run(ctx, input, tools);
      if (!deferred) await settle(opts.outcome?.(result) ?? "ok", { httpStatus: 200 });
      return result;
    } catch (err) {
      const e = toAppError(err, ctx.requestId);
      if (e.code === "internal") console.error(`[${spec.name} ${ctx.requestId}]`, err);
      await settle(REFUSAL_CODES.has(e.code) ? "refused" : "failed", { error: e.message, httpStatus: e.status });
      throw e;
    }
  };
  return Object.assign(call, { spec });
}

function parse<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const r = schema.safeParse(raw);
  if (!r.success) {
    const issues = zodIssues(r.error);
    throw new AppError("bad_request", issues.map((i) => (i.path ? `${i.path}: ${i.message}` : i.message)).join("; "), issues);
  }
  return r.data;
}
