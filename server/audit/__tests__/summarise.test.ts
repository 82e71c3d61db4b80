import assert from "node:assert/strict";
import { test } from "node:test";
import { redactText, summariseInput } from "../summarise";

test("secrets never reach the audit summary, however deep", () => {
  const s = JSON.stringify(summariseInput({ name: "zone", token: "abc123", nested: { apiKey: "k", list: [{ password: "p" }] } }));
  assert.ok(!s.includes("abc123") && !s.includes('"k"') && !s.includes('"p"'), s);
  assert.match(s, /\[redacted\]/);
});

test("long inputs are bounded", () => {
  const s = summariseInput({ corefile: "x".repeat(10_000), items: Array.from({ length: 100 }, (_, i) => i) }) as { corefile: string; items: unknown[] };
  assert.ok(s.corefile.length < 300);
  assert.equal(s.items.length, 21);
});

test("tokens in URLs inside error texts are redacted", () => {
  assert.equal(redactText("GET /api/zones/list?token=deadbeef&x=1 failed"), "GET /api/zones/list?token=[redacted]&x=1 failed");
});
