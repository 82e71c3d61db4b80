import "server-only";
import { env } from "@/server/env";
import type { IdentityConfig } from "./identity";

export function identityConfig(): IdentityConfig {
  const e = env();
  return {
    mode: e.AUTH_MODE,
    trustedProxyCidrs: e.TRUSTED_PROXY_CIDRS,
    jwt: e.AUTHENTIK_JWT_SECRET ? { secret: e.AUTHENTIK_JWT_SECRET, issuer: e.AUTHENTIK_JWT_ISSUER!, audience: e.AUTHENTIK_JWT_AUDIENCE! } : undefined,
    groups: { admin: e.ADMIN_GROUPS, operator: e.OPERATOR_GROUPS, viewer: e.VIEWER_GROUPS },
    // set by server/start.mjs before Next loads; read per call (never cached, never logged)
    peerProof: process.env.DNSDECK_PEER_PROOF,
  };
}
