import { inCidrs } from "./cidr";
import { JwtError, verifyAuthentikJwt } from "./jwt";
import { type GroupMapping, type Role, ROLES, roleForGroups } from "./roles";

export interface Identity {
  user: string;
  groups: string[];
  role: Role;
  /** How the identity was established: a verified JWT, trusted plain headers, or the demo switcher. */
  source: "jwt" | "headers" | "demo";
}

export type IdentityResult = { ok: true; identity: Identity } | { ok: false; status: 401 | 403; reason: string; user?: string };

export interface IdentityConfig {
  mode: "authentik" | "demo";
  trustedProxyCidrs: string[];
  jwt?: { secret: string; issuer: string; audience: string };
  groups: GroupMapping;
}

/** The header the start wrapper (server/start.mjs) sets from the TCP peer; clients cannot supply it. */
export const PEER_HEADER = "x-dnsdeck-peer";
export const DEMO_ROLE_COOKIE = "dnsdeck_demo_role";

type HeaderGetter = { get(name: string): string | null };

/**
 * Who is calling. Fail closed: anything missing, untrusted or unverifiable is a 401; a known person whose groups
 * map to no role is a 403.
 */
export function resolveIdentity(headers: HeaderGetter, cookieRole: string | undefined, cfg: IdentityConfig): IdentityResult {
  if (cfg.mode === "demo") {
    const role = (ROLES as readonly string[]).includes(cookieRole ?? "") ? (cookieRole as Role) : "admin";
    return { ok: true, identity: { user: `demo-${role}`, groups: [`demo-${role}s`], role, source: "demo" } };
  }

  const peer = headers.get(PEER_HEADER);
  if (!peer) return { ok: false, status: 401, reason: "the request's source address is unknown" };
  if (!inCidrs(peer, cfg.trustedProxyCidrs))
    return { ok: false, status: 401, reason: `requests from ${peer} are not from a trusted proxy; sign in through Authentik` };

  const headerUser = headers.get("x-authentik-username")?.trim() || undefined;
  const headerGroups = splitGroups(headers.get("x-authentik-groups"));

  let user = headerUser;
  let groups = headerGroups;
  let source: Identity["source"] = "headers";
  if (cfg.jwt) {
    const token = headers.get("x-authentik-jwt");
    if (!token) return { ok: false, status: 401, reason: "X-authentik-jwt is missing" };
    try {
      const claims = verifyAuthentikJwt(token, cfg.jwt);
      if (!claims.preferred_username) return { ok: false, status: 401, reason: "the token names no user" };
      if (headerUser && headerUser !== claims.preferred_username)
        return { ok: false, status: 401, reason: "X-authentik-username disagrees with the verified token" };
      user = claims.preferred_username;
      groups = claims.groups ?? [];
      source = "jwt";
    } catch (err) {
      return { ok: false, status: 401, reason: `X-authentik-jwt rejected: ${err instanceof JwtError ? err.message : "invalid"}` };
    }
  }
  if (!user) return { ok: false, status: 401, reason: "no X-authentik-username header: sign in through Authentik" };
  const role = roleForGroups(groups, cfg.groups);
  if (!role) return { ok: false, status: 403, user, reason: `${user} is in no group that dnsdeck maps to a role` };
  return { ok: true, identity: { user, groups, role, source } };
}

function splitGroups(value: string | null): string[] {
  if (!value) return [];
  return value.split("|").map((g) => g.trim()).filter(Boolean);
}
