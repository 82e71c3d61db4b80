import assert from "node:assert/strict";
import { test } from "node:test";
import { EnvError, parseEnv } from "../../env";

const good = {
  DATABASE_URL: "postgresql://u@db/dnsdeck",
  AUTH_MODE: "authentik",
  TRUSTED_PROXY_CIDRS: "10.42.0.0/16",
  TECHNITIUM_TOKEN_PRIMARY: "a",
  TECHNITIUM_TOKEN_SECONDARY: "b",
  TECHNITIUM_TOKEN_TERTIARY: "c",
};

test("a complete environment parses with the homelab's defaults", () => {
  const e = parseEnv(good);
  assert.deepEqual(e.TECHNITIUM_INSTANCES.map((i) => i.name), ["primary", "secondary", "tertiary"]);
  assert.equal(e.technitiumTokens.get("secondary"), "b");
  assert.deepEqual(e.TRUSTED_PROXY_CIDRS, ["10.42.0.0/16"]);
});

function problems(raw: Record<string, string | undefined>): string {
  try {
    parseEnv(raw);
  } catch (err) {
    assert.ok(err instanceof EnvError);
    return err.message;
  }
  assert.fail("expected the environment to be refused");
}

test("missing or malformed variables are named", () => {
  assert.match(problems({ ...good, DATABASE_URL: undefined }), /DATABASE_URL/);
  assert.match(problems({ ...good, DATABASE_URL: "mysql://x" }), /DATABASE_URL: must be a postgresql/);
  assert.match(problems({ ...good, TRUSTED_PROXY_CIDRS: "10.42.0.0/99" }), /TRUSTED_PROXY_CIDRS/);
  assert.match(problems({ ...good, TECHNITIUM_TOKEN_TERTIARY: undefined }), /TECHNITIUM_TOKEN_TERTIARY/);
  assert.match(problems({ ...good, AUTHENTIK_JWT_SECRET: "0123456789abcdef0123" }), /AUTHENTIK_JWT_ISSUER/);
  assert.match(problems({ ...good, TRUSTED_PROXY_CIDRS: "" }), /TRUSTED_PROXY_CIDRS/);
  assert.match(problems({ ...good, TECHNITIUM_INSTANCES: "primary=ftp://x" }), /TECHNITIUM_INSTANCES/);
});

test("demo mode is refused in production unless explicitly forced", () => {
  assert.match(problems({ ...good, AUTH_MODE: "demo", NODE_ENV: "production" }), /AUTH_MODE: demo mode/);
  assert.equal(parseEnv({ ...good, AUTH_MODE: "demo", NODE_ENV: "production", DNSDECK_FORCE_DEMO_IN_PRODUCTION: "true" }).AUTH_MODE, "demo");
});

test("TRUSTED_PROXY_CIDRS that admits everyone is refused unless forced; malformed IPv6 is refused", () => {
  for (const all of ["0.0.0.0/0", "::/0", "0.0.0.0/1,128.0.0.0/1", "10.0.0.0/8,::ffff:0:0/96"]) assert.match(problems({ ...good, TRUSTED_PROXY_CIDRS: all }), /TRUSTED_PROXY_CIDRS: admits every/, all);
  assert.deepEqual(parseEnv({ ...good, TRUSTED_PROXY_CIDRS: "0.0.0.0/0", DNSDECK_FORCE_TRUST_ALL: "true" }).TRUSTED_PROXY_CIDRS, ["0.0.0.0/0"]);
  for (const bad of [":::::::::", "fffff::", "1:2:3:4:5:6:7:8:9:10"]) assert.match(problems({ ...good, TRUSTED_PROXY_CIDRS: bad }), /TRUSTED_PROXY_CIDRS/, bad);
});
