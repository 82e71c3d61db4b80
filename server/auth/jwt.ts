import { createHmac, timingSafeEqual } from "node:crypto";

export interface JwtExpectations {
  secret: string;
  issuer: string;
  audience: string;
  now?: number; // seconds, for tests
  clockSkewSeconds?: number;
}

export interface AuthentikClaims {
  preferred_username?: string;
  groups?: string[];
  sub?: string;
  email?: string;
  name?: string;
  iss?: string;
  aud?: string | string[];
  exp?: number;
}

export class JwtError extends Error {}

/**
 * Verify Authentik's proxy-provider ID token: HS256 only (no `none`, no asymmetric algorithms that invite key
 * confusion), signed with the provider's client secret, right issuer and audience, not expired.
 */
export function verifyAuthentikJwt(token: string, expect: JwtExpectations): AuthentikClaims {
  const parts = token.split(".");
  if (parts.length !== 3) throw new JwtError("malformed token");
  const [h, p, s] = parts;
  let header: { alg?: string; typ?: string };
  let claims: AuthentikClaims;
  try {
    header = JSON.parse(b64urlDecode(h).toString("utf8"));
    claims = JSON.parse(b64urlDecode(p).toString("utf8"));
  } catch {
    throw new JwtError("malformed token");
  }
  if (header.alg !== "HS256") throw new JwtError(`algorithm ${String(header.alg)} is not accepted`);
  const expected = createHmac("sha256", expect.secret).update(`${h}.${p}`).digest();
  const given = b64urlDecode(s);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new JwtError("bad signature");
  const now = expect.now ?? Math.floor(Date.now() / 1000);
  const skew = expect.clockSkewSeconds ?? 30;
  if (typeof claims.exp !== "number" || claims.exp + skew < now) throw new JwtError("token expired");
  if (claims.iss !== expect.issuer) throw new JwtError("wrong issuer");
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!aud.includes(expect.audience)) throw new JwtError("wrong audience");
  if (claims.groups !== undefined && !(Array.isArray(claims.groups) && claims.groups.every((g) => typeof g === "string")))
    throw new JwtError("groups claim is not a list of strings");
  return claims;
}

/** Used by tests and the twin's fake outpost to mint tokens. */
export function signHs256(claims: object, secret: string): string {
  const h = b64url(Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })));
  const p = b64url(Buffer.from(JSON.stringify(claims)));
  const s = b64url(createHmac("sha256", secret).update(`${h}.${p}`).digest());
  return `${h}.${p}.${s}`;
}

function b64url(buf: Buffer): string {
  return buf.toString("base64").replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
}
function b64urlDecode(s: string): Buffer {
  if (!/^[A-Za-z0-9_-]*$/.test(s)) throw new JwtError("malformed token");
  return Buffer.from(s.replace(/-/g, "+").replace(/_/g, "/"), "base64");
}
