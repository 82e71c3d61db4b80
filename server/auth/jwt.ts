import { errors, jwtVerify } from "jose";

export interface JwtExpectations {
  secret: string;
  issuer: string;
  audience: string;
  /** For tests: the time to check against. */
  now?: Date;
  clockSkewSeconds?: number;
}

export interface AuthentikClaims {
  preferred_username: string;
  groups: string[];
  sub?: string;
  iss?: string;
  aud?: string | string[];
  exp: number;
}

export class JwtError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "JwtError";
  }
}

/**
 * Verify Authentik's proxy-provider ID token with `jose`: HS256 only (no `none`, no asymmetric algorithms that
 * invite key confusion), signed with the provider's client secret, the right issuer and audience, `exp` required,
 * `nbf` honoured, an `iat` in the future refused (beyond the clock skew), a `typ` header if present must be JWT, and
 * the identity claims typed: `preferred_username` a non-empty string, `groups` a list of strings.
 */
export async function verifyAuthentikJwt(token: string, expect: JwtExpectations): Promise<AuthentikClaims> {
  const skew = expect.clockSkewSeconds ?? 30;
  const now = expect.now ?? new Date();
  let payload: Record<string, unknown>;
  try {
    const r = await jwtVerify(token, new TextEncoder().encode(expect.secret), {
      algorithms: ["HS256"],
      issuer: expect.issuer,
      audience: expect.audience,
      clockTolerance: skew,
      requiredClaims: ["exp"],
      currentDate: now,
    });
    if (r.protectedHeader.typ !== undefined && r.protectedHeader.typ.toUpperCase() !== "JWT") throw new JwtError(`token type ${r.protectedHeader.typ} is not accepted`);
    payload = r.payload as Record<string, unknown>;
  } catch (err) {
    if (err instanceof JwtError) throw err;
    throw new JwtError(describe(err));
  }
  const iat = payload.iat;
  if (iat !== undefined && (typeof iat !== "number" || iat > now.getTime() / 1000 + skew)) throw new JwtError("token issued in the future (iat)");
  const user = payload.preferred_username;
  if (typeof user !== "string" || !user.trim() || user.length > 256 || /[\u0000-\u001f\u007f]/.test(user)) throw new JwtError("preferred_username is missing or not a plain string");
  const groups = payload.groups ?? [];
  if (!Array.isArray(groups) || !groups.every((g) => typeof g === "string")) throw new JwtError("groups claim is not a list of strings");
  return { ...(payload as object), preferred_username: user, groups: groups as string[], exp: payload.exp as number };
}

function describe(err: unknown): string {
  if (err instanceof errors.JWTExpired) return "token expired";
  if (err instanceof errors.JWSSignatureVerificationFailed) return "bad signature";
  if (err instanceof errors.JOSEAlgNotAllowed) return "algorithm not accepted (HS256 only)";
  if (err instanceof errors.JWTClaimValidationFailed) return `claim ${err.claim} rejected: ${err.reason}`;
  if (err instanceof errors.JWTInvalid || err instanceof errors.JWSInvalid) return "malformed token";
  return "invalid token";
}
