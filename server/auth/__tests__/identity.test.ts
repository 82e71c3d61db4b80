import assert from "node:assert/strict";
import { test } from "node:test";
import { SignJWT } from "jose";
import { type IdentityConfig, PEER_HEADER, PEER_PROOF_HEADER, resolveIdentity } from "../identity";

// Tokens are minted with jose's signer (as Authentik's HS256 would be), independently of the verifier under test.
const PROOF = "per-process-proof-0123456789abcdef";
const groups = { admin: ["dns-admins"], operator: ["dns-operators"], viewer: ["dns-viewers"] };
const base: IdentityConfig = { mode: "authentik", trustedProxyCidrs: ["10.42.0.0/16", "127.0.0.1/32"], groups, peerProof: PROOF };
const headers = (h: Record<string, string>) => new Headers({ [PEER_PROOF_HEADER]: PROOF, ...h });
const SECRET = "provider-client-secret-0123456789";
const jwtCfg = { ...base, jwt: { secret: SECRET, issuer: "https://auth.example/application/o/dnsdeck/", audience: "dnsdeck-client" } };
const now = () => Math.floor(Date.now() / 1000);
const token = (over: Record<string, unknown> = {}, secret = SECRET, header: Record<string, unknown> = {}) =>
  new SignJWT({ iss: jwtCfg.jwt.issuer, aud: "dnsdeck-client", iat: now(), exp: now() + 300, preferred_username: "viktor", groups: ["dns-admins"], ...over })
    .setProtectedHeader({ alg: "HS256", typ: "JWT", ...header })
    .sign(new TextEncoder().encode(secret));

test("trusted proxy with Authentik headers: name, groups and highest role", async () => {
  const r = await resolveIdentity(headers({ [PEER_HEADER]: "10.42.3.7", "x-authentik-username": "anna", "x-authentik-groups": "dns-viewers|dns-operators" }), undefined, base);
  assert.deepEqual(r, { ok: true, peer: "10.42.3.7", identity: { user: "anna", groups: ["dns-viewers", "dns-operators"], role: "operator", source: "headers" } });
});

test("no identity headers → 401, never anonymous", async () => {
  const r = await resolveIdentity(headers({ [PEER_HEADER]: "10.42.3.7" }), undefined, base);
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.status, 401);
});

test("forged headers from outside TRUSTED_PROXY_CIDRS → 401", async () => {
  const r = await resolveIdentity(headers({ [PEER_HEADER]: "10.43.0.9", "x-authentik-username": "akadmin", "x-authentik-groups": "dns-admins" }), undefined, base);
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.reason : "", /not from a trusted proxy/);
});

test("a peer header without the start wrapper's proof (or with a wrong one) → 401", async () => {
  const h = { [PEER_HEADER]: "127.0.0.1", "x-authentik-username": "akadmin", "x-authentik-groups": "dns-admins" };
  for (const proof of [undefined, "guess", PROOF.slice(0, -1) + "x", PROOF + "x"]) {
    const given = new Headers(h);
    if (proof) given.set(PEER_PROOF_HEADER, proof);
    const r = await resolveIdentity(given, undefined, base);
    assert.equal(!r.ok && r.status, 401, String(proof));
  }
  // and a server started without a proof trusts nobody, whatever the client sends
  const none = await resolveIdentity(headers(h), undefined, { ...base, peerProof: undefined });
  assert.equal(!none.ok && none.status, 401);
});

test("IPv4-mapped IPv6 peer addresses are matched as IPv4", async () => {
  const r = await resolveIdentity(headers({ [PEER_HEADER]: "::ffff:127.0.0.1", "x-authentik-username": "anna", "x-authentik-groups": "dns-admins" }), undefined, base);
  assert.equal(r.ok && r.identity.role, "admin");
});

test("a person in no mapped group → 403; VIEWER_GROUPS=* makes them a viewer", async () => {
  const h = headers({ [PEER_HEADER]: "127.0.0.1", "x-authentik-username": "guest", "x-authentik-groups": "family" });
  const r = await resolveIdentity(h, undefined, base);
  assert.equal(!r.ok && r.status, 403);
  const open = await resolveIdentity(h, undefined, { ...base, groups: { ...groups, viewer: ["*"] } });
  assert.equal(open.ok && open.identity.role, "viewer");
});

test("with a JWT secret, verified claims win over plain headers", async () => {
  const r = await resolveIdentity(headers({ [PEER_HEADER]: "127.0.0.1", "x-authentik-jwt": await token(), "x-authentik-groups": "nobody" }), undefined, jwtCfg);
  assert.deepEqual(r.ok && r.identity, { user: "viktor", groups: ["dns-admins"], role: "admin", source: "jwt" });
});

test("JWT refused: bad signature, expired, not yet valid, issued in the future, wrong issuer/audience, other algorithms, no exp, bad claim types, missing", async () => {
  const unsigned = (payload: object) => `${Buffer.from('{"alg":"none","typ":"JWT"}').toString("base64url")}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}.`;
  const cases: [string, string | undefined][] = [
    ["bad signature", await token({}, "another-secret-0123456789abcdef")],
    ["expired", await token({ exp: now() - 3600 })],
    ["nbf in the future", await token({ nbf: now() + 3600 })],
    ["iat in the future", await token({ iat: now() + 3600 })],
    ["wrong issuer", await token({ iss: "https://evil/" })],
    ["wrong audience", await token({ aud: "other" })],
    ["alg none", unsigned({ preferred_username: "viktor", groups: ["dns-admins"], exp: now() + 300, iss: jwtCfg.jwt.issuer, aud: "dnsdeck-client" })],
    ["no exp", await token({ exp: undefined })],
    ["non-string preferred_username", await token({ preferred_username: ["viktor"] })],
    ["object preferred_username", await token({ preferred_username: { toString: "viktor" } })],
    ["empty preferred_username", await token({ preferred_username: "" })],
    ["groups not strings", await token({ groups: [1, 2] })],
    ["exp not a number", await token({ exp: "tomorrow" })],
    ["typ not JWT", await token({}, SECRET, { typ: "at+jwt" })],
    ["missing", undefined],
  ];
  for (const [label, t] of cases) {
    const h: Record<string, string> = { [PEER_HEADER]: "127.0.0.1", "x-authentik-username": "viktor" };
    if (t) h["x-authentik-jwt"] = t;
    const r = await resolveIdentity(headers(h), undefined, jwtCfg);
    assert.equal(r.ok, false, label);
    assert.equal(!r.ok && r.status, 401, label);
  }
});

test("a username header that disagrees with the verified token → 401", async () => {
  const r = await resolveIdentity(headers({ [PEER_HEADER]: "127.0.0.1", "x-authentik-jwt": await token(), "x-authentik-username": "akadmin" }), undefined, jwtCfg);
  assert.equal(!r.ok && r.status, 401);
});

test("a user name with control characters → 401", async () => {
  const r = await resolveIdentity(headers({ [PEER_HEADER]: "127.0.0.1", "x-authentik-username": "ann\u0001a", "x-authentik-groups": "dns-admins" }), undefined, base);
  assert.equal(!r.ok && r.status, 401);
});

test("demo mode takes the role from the switcher cookie and ignores junk", async () => {
  const cfg: IdentityConfig = { ...base, mode: "demo" };
  const viewer = await resolveIdentity(new Headers(), "viewer", cfg);
  assert.equal(viewer.ok && viewer.identity.role, "viewer");
  const junk = await resolveIdentity(new Headers(), "root", cfg);
  assert.equal(junk.ok && junk.identity.role, "admin");
});
