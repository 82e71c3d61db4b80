// Shared constants for the end-to-end tests and their global setup.
import { SignJWT } from "jose";

/** E2E_PORT_BASE moves the apps (base … base+4) so two checkouts can run their suites side by side. */
const base = Number(process.env.E2E_PORT_BASE ?? 3100);

export const E2E = {
  /** embedded: started by e2e/query-logs.spec.ts on PGlite (as `npm run demo` runs). */
  ports: { main: base, jwt: base + 1, demo: base + 2, nodb: base + 3, embedded: base + 7 },
  jwt: { secret: "e2e-provider-client-secret-0123456789", issuer: "http://authentik.test/application/o/dnsdeck/", audience: "dnsdeck-e2e" },
};

export const url = (app: keyof typeof E2E.ports, p = "") => `http://127.0.0.1:${E2E.ports[app]}${p}`;

/** Headers Traefik would pass after Authentik's forward auth, for a person in the given groups. */
export function asUser(user: string, groups: string[]): Record<string, string> {
  return { "x-authentik-username": user, "x-authentik-groups": groups.join("|") };
}
export const ADMIN = asUser("alice", ["dns-admins"]);
export const OPERATOR = asUser("oscar", ["dns-operators"]);
export const VIEWER = asUser("victor", ["dns-viewers"]);

/** A token as Authentik's proxy provider signs it (HS256, the client secret), minted with jose — not with dnsdeck's verifier. */
export function jwtFor(user: unknown, groups: string[], over: Record<string, unknown> = {}, header: Record<string, unknown> = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ iss: E2E.jwt.issuer, aud: E2E.jwt.audience, iat: now, exp: now + 600, preferred_username: user, groups, ...over })
    .setProtectedHeader({ alg: "HS256", typ: "JWT", ...header })
    .sign(new TextEncoder().encode(E2E.jwt.secret));
}
