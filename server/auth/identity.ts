import { timingSafeEqual } from "node:crypto";
import { inCidrs } from "./cidr";
import { JwtError, verifyAuthentikJwt } from "./jwt";
import { type GroupMapping, type Role, ROLES, roleForGroups } from "./roles";

export interface Identity {
  user: string;
  groups: string[];
  role: Role;
  /** How the identity was established: a verified JWT, trusted plain headers, the demo switcher, the CLI, a test. */
  source: "jwt" | "headers" | "demo" | "cli" | "test";
}

export type IdentityResult =
  | { ok: true; identity: Identity; peer?: string }
  | { ok: false; status: 401 | 403; reason: string; user?: string; peer?: string };

export interface IdentityConfig {
  mode: "authentik" | "demo";
  trustedProxyCidrs: string[];
  jwt?: { secret: string; issuer: string; audience: string };
  groups: GroupMapping;
  /** The per-process secret server/start.mjs stamps on every request beside the peer; unset → no peer is trusted. */
  peerProof?: string;
}

/**
 * The headers the start wrapper (server/start.mjs) sets from the TCP peer after deleting every client-sent
 * `x-dnsdeck-*` header. The proof is a per-process secret: a request that did not pass through the wrapper (another
 * start path, a client copying the header) cannot carry it, so its peer is unknown and it gets 401.
 */
export const PEER_HEADER = "x-dnsdeck-peer";
export const PEER_PROOF_HEADER = "x-dnsdeck-peer-proof";
export const DEMO_ROLE_COOKIE = "dnsdeck_demo_role";

type HeaderGetter = { get(name: string): string | null };

function proven(given: string | null, expected: string | undefined): boolean {
  if (!given || !expected) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Who is calling. Fail closed: anything missing, untrusted or unverifiable is a 401; a known person whose groups
 * map to no role is a 403.
 */
export async function resolveIdentity(headers: HeaderGetter, cookieRole: string | undefined, cfg: IdentityConfig): Promise<IdentityResult> {
  if (cfg.mode === "demo") {
    const role = (ROLES as readonly string[]).includes(cookieRole ?? "") ? (cookieRole as Role) : "admin";
    return { ok: true, identity: { user: `demo-${role}`, groups: [`demo-${role}s`], role, source: "demo" } };
  }

  if (!proven(headers.get(PEER_PROOF_HEADER), cfg.peerProof))
    return { ok: false, status: 401, reason: "the request's source address is unknown (dnsdeck must be started with `npm start` / server/start.mjs)" };
  const peer = headers.get(PEER_HEADER) ?? "";
  if (!inCidrs(peer, cfg.trustedProxyCidrs))
    return { ok: false, status: 401, peer, reason: `requests from ${peer || "an unknown address"} are not from a trusted proxy; sign in through Authentik` };

  const headerUser = headers.get("x-authentik-username")?.trim() || undefined;
  const headerGroups = splitGroups(headers.get("x-authentik-groups"));

  let user = headerUser;
  let groups = headerGroups;
  let source: Identity["source"] = "headers";
  if (cfg.jwt) {
    const token = headers.get("x-authentik-jwt");
    if (!token) return { ok: false, status: 401, peer, reason: "X-authentik-jwt is missing" };
    try {
      const claims = await verifyAuthentikJwt(token, cfg.jwt);
      if (headerUser && headerUser !== claims.preferred_username)
        return { ok: false, status: 401, peer, reason: "X-authentik-username disagrees with the verified token" };
      user = claims.preferred_username;
      groups = claims.groups;
      source = "jwt";
    } catch (err) {
      return { ok: false, status: 401, peer, reason: `X-authentik-jwt rejected: ${err instanceof JwtError ? err.message : "invalid"}` };
    }
  }
  if (!user) return { ok: false, status: 401, peer, reason: "no X-authentik-username header: sign in through Authentik" };
  if (user.length > 256 || /[\u0000-\u001f\u007f]/.test(user)) return { ok: false, status: 401, peer, reason: "the user name is not a plain name" };
  const role = roleForGroups(groups, cfg.groups);
  if (!role) return { ok: false, status: 403, user, peer, reason: `${user} is in no group that dnsdeck maps to a role` };
  return { ok: true, identity: { user, groups, role, source }, peer };
}

function splitGroups(value: string | null): string[] {
  if (!value) return [];
  return value.split("|").map((g) => g.trim()).filter(Boolean).slice(0, 200);
}
