import assert from "node:assert/strict";
import { test } from "node:test";
import { type IdentityConfig, PEER_HEADER, resolveIdentity } from "../identity";
import { signHs256 } from "../jwt";

const groups = { admin: ["dns-admins"], operator: ["dns-operators"], viewer: ["dns-viewers"] };
const base: IdentityConfig = { mode: "authentik", trustedProxyCidrs: ["10.42.0.0/16", "127.0.0.1/32"], groups };
const headers = (h: Record<string, string>) => new Headers(h);
const SECRET = "provider-client-secret-0123456789";
const jwtCfg = { ...base, jwt: { secret: SECRET, issuer: "https://auth.example/application/o/dnsdeck/", audience: "dnsdeck-client" } };
const now = () => Math.floor(Date.now() / 1000);
const token = (over: object = {}, secret = SECRET) =>
  signHs256({ iss: jwtCfg.jwt.issuer, aud: "dnsdeck-client", exp: now() + 300, preferred_username: "viktor", groups: ["dns-admins"], ...over }, secret);

test("trusted proxy with Authentik headers: name, groups and highest role", () => {
  const r = resolveIdentity(headers({ [PEER_HEADER]: "10.42.3.7", "x-authentik-username": "anna", "x-authentik-groups": "dns-viewers|dns-operators" }), undefined, base);
  assert.deepEqual(r, { ok: true, identity: { user: "anna", groups: ["dns-viewers", "dns-operators"], role: "operator", source: "headers" } });
});

test("no identity headers → 401, never anonymous", () => {
  const r = resolveIdentity(headers({ [PEER_HEADER]: "10.42.3.7" }), undefined, base);
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.status, 401);
});

test("forged headers from outside TRUSTED_PROXY_CIDRS → 401", () => {
  const r = resolveIdentity(headers({ [PEER_HEADER]: "10.43.0.9", "x-authentik-username": "akadmin", "x-authentik-groups": "dns-admins" }), undefined, base);
  assert.equal(r.ok, false);
  assert.match(!r.ok ? r.reason : "", /not from a trusted proxy/);
});

test("unknown peer (no wrapper header) → 401", () => {
  const r = resolveIdentity(headers({ "x-authentik-username": "akadmin", "x-authentik-groups": "dns-admins" }), undefined, base);
  assert.equal(!r.ok && r.status, 401);
});

test("IPv4-mapped IPv6 peer addresses are matched as IPv4", () => {
  const r = resolveIdentity(headers({ [PEER_HEADER]: "::ffff:127.0.0.1", "x-authentik-username": "anna", "x-authentik-groups": "dns-admins" }), undefined, base);
  assert.equal(r.ok && r.identity.role, "admin");
});

test("a person in no mapped group → 403; VIEWER_GROUPS=* makes them a viewer", () => {
  const h = headers({ [PEER_HEADER]: "127.0.0.1", "x-authentik-username": "guest", "x-authentik-groups": "family" });
  const r = resolveIdentity(h, undefined, base);
  assert.equal(!r.ok && r.status, 403);
  const open = resolveIdentity(h, undefined, { ...base, groups: { ...groups, viewer: ["*"] } });
  assert.equal(open.ok && open.identity.role, "viewer");
});

test("with a JWT secret, verified claims win over plain headers", () => {
  const r = resolveIdentity(headers({ [PEER_HEADER]: "127.0.0.1", "x-authentik-jwt": token(), "x-authentik-groups": "nobody" }), undefined, jwtCfg);
  assert.deepEqual(r.ok && r.identity, { user: "viktor", groups: ["dns-admins"], role: "admin", source: "jwt" });
});

test("JWT with a bad signature, expired, wrong issuer/audience, alg none, or missing → 401", () => {
  const cases: [string, string | undefined][] = [
    ["bad signature", token({}, "another-secret-0123456789abcdef")],
    ["expired", token({ exp: now() - 3600 })],
    ["wrong issuer", token({ iss: "https://evil/" })],
    ["wrong audience", token({ aud: "other" })],
    ["alg none", `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from('{"preferred_username":"x"}').toString("base64url")}.`],
    ["missing", undefined],
  ];
  for (const [label, t] of cases) {
    const h: Record<string, string> = { [PEER_HEADER]: "127.0.0.1", "x-authentik-username": "viktor" };
    if (t) h["x-authentik-jwt"] = t;
    const r = resolveIdentity(headers(h), undefined, jwtCfg);
    assert.equal(r.ok, false, label);
    assert.equal(!r.ok && r.status, 401, label);
  }
});

test("a username header that disagrees with the verified token → 401", () => {
  const r = resolveIdentity(headers({ [PEER_HEADER]: "127.0.0.1", "x-authentik-jwt": token(), "x-authentik-username": "akadmin" }), undefined, jwtCfg);
  assert.equal(!r.ok && r.status, 401);
});

test("demo mode takes the role from the switcher cookie and ignores junk", () => {
  const cfg: IdentityConfig = { ...base, mode: "demo" };
  assert.equal(resolveIdentity(headers({}), "viewer", cfg).ok && (resolveIdentity(headers({}), "viewer", cfg) as { identity: { role: string } }).identity.role, "viewer");
  const junk = resolveIdentity(headers({}), "root", cfg);
  assert.equal(junk.ok && junk.identity.role, "admin");
});
