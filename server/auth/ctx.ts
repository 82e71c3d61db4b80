import "server-only";
import { randomBytes } from "node:crypto";
import { identityConfig } from "./config";
import { type Identity, resolveIdentity } from "./identity";

/**
 * The caller's context: who (identity and role), through which door (page, route, action, cli), from which peer, and
 * a request id for logs and error references. Every verb takes one as its first argument and checks the role itself.
 *
 * A Ctx cannot be built by hand: only the functions below mint one (a module-private WeakSet remembers them), and
 * each derives the identity from evidence — the request's headers through the identity check, the CronJob the CLI
 * runs as, or a test. A plain `{ identity: { role: "admin" } }` passed to a verb is refused.
 */
export type Via = "page" | "route" | "action" | "cli";

export interface Ctx {
  readonly identity: Readonly<Identity>;
  readonly via: Via;
  /** The TCP peer as recorded by server/start.mjs (authentik mode), when known. */
  readonly peer?: string;
  readonly requestId: string;
}

const minted = new WeakSet<object>();

export const newRequestId = () => randomBytes(6).toString("hex");

function mint(identity: Identity, via: Via, peer?: string): Ctx {
  const ctx: Ctx = Object.freeze({
    identity: Object.freeze({ ...identity, groups: Object.freeze([...identity.groups]) as string[] }),
    via,
    peer,
    requestId: newRequestId(),
  });
  minted.add(ctx);
  return ctx;
}

export function isCtx(value: unknown): value is Ctx {
  return typeof value === "object" && value !== null && minted.has(value);
}

type HeaderGetter = { get(name: string): string | null };

export type ContextResult =
  | { ok: true; ctx: Ctx }
  | { ok: false; status: 401 | 403; reason: string; user?: string; peer?: string; requestId: string };

/** A request's context (routes, actions, pages): the identity check on its headers and the demo-role cookie. */
export async function contextFromRequest(headers: HeaderGetter, demoRoleCookie: string | undefined, via: Exclude<Via, "cli">): Promise<ContextResult> {
  const who = await resolveIdentity(headers, demoRoleCookie, identityConfig());
  if (!who.ok) return { ok: false, status: who.status, reason: who.reason, user: who.user, peer: who.peer, requestId: newRequestId() };
  return { ok: true, ctx: mint(who.identity, via, who.peer) };
}

/** What the CronJobs and operators running `dist/cli.js` act as: the sync commands need operator, nothing more. */
export function cliContext(user: `cronjob:${string}` | `cli:${string}`): Ctx {
  return mint({ user, groups: [], role: "operator", source: "cli" }, "cli");
}

/** Tests only (NODE_ENV=test): a context for the given person. Throws anywhere else. */
export function testContext(identity: Pick<Identity, "user" | "role"> & Partial<Identity>, via: Via = "route"): Ctx {
  if (process.env.NODE_ENV !== "test") throw new Error("testContext is for tests only");
  return mint({ groups: [], source: "test", ...identity }, via, "127.0.0.1");
}
