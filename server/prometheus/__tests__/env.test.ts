// PROMETHEUS_URL / PUSHGATEWAY_URL / PROMETHEUS_TIMEOUT_MS are validated at start like every other variable.
import assert from "node:assert/strict";
import { test } from "node:test";
import { EnvError, parseEnv } from "../../env";

const good = { DATABASE_URL: "postgresql://u@db/dnsdeck", AUTH_MODE: "authentik", TRUSTED_PROXY_CIDRS: "10.42.0.0/16", TECHNITIUM_TOKEN_PRIMARY: "a", TECHNITIUM_TOKEN_SECONDARY: "b", TECHNITIUM_TOKEN_TERTIARY: "c" };
const refused = (raw: Record<string, string>) => {
  try {
    parseEnv({ ...good, ...raw });
  } catch (err) {
    assert.ok(err instanceof EnvError);
    return err.message;
  }
  return assert.fail("expected the environment to be refused");
};

test("Prometheus and the Pushgateway are optional; a URL is normalised; empty means unset", () => {
  const none = parseEnv(good);
  assert.equal(none.PROMETHEUS_URL, undefined);
  assert.equal(none.PROMETHEUS_TIMEOUT_MS, 5000);
  const e = parseEnv({ ...good, PROMETHEUS_URL: "http://prometheus.monitoring:9090/", PUSHGATEWAY_URL: "http://pushgateway.monitoring:9091", PROMETHEUS_TIMEOUT_MS: "2500" });
  assert.equal(e.PROMETHEUS_URL, "http://prometheus.monitoring:9090");
  assert.equal(e.PUSHGATEWAY_URL, "http://pushgateway.monitoring:9091");
  assert.equal(e.PROMETHEUS_TIMEOUT_MS, 2500);
  assert.equal(parseEnv({ ...good, PROMETHEUS_URL: "" }).PROMETHEUS_URL, undefined);
});

test("a bad PROMETHEUS_URL, PUSHGATEWAY_URL or timeout stops dnsdeck naming the variable", () => {
  assert.match(refused({ PROMETHEUS_URL: "prometheus:9090" }), /PROMETHEUS_URL: must be an http\(s\):\/\/ URL/);
  assert.match(refused({ PROMETHEUS_URL: "ftp://prometheus" }), /PROMETHEUS_URL/);
  assert.match(refused({ PROMETHEUS_URL: "http://p:9090/?x=1" }), /PROMETHEUS_URL: must not have a query/);
  assert.match(refused({ PUSHGATEWAY_URL: "not a url" }), /PUSHGATEWAY_URL/);
  assert.match(refused({ PROMETHEUS_TIMEOUT_MS: "50" }), /PROMETHEUS_TIMEOUT_MS/);
});
