import assert from "node:assert/strict";
import { test } from "node:test";
import { apiParams, pageHref, readState } from "../params";

test("a range the page offers is kept; one it does not offer reads as the default, so the select and the answer agree", () => {
  assert.equal(readState({ range: "7d" }).range, "7d");
  assert.equal(readState({ range: "3d" }).range, "24h");
  assert.equal(readState({ range: "3d", from: "2026-12-01T00:00:00.000Z" }).range, "custom");
  assert.equal(readState({}).range, "24h");
  const now = Date.parse("2026-12-05T12:00:00.000Z");
  // the API is asked for what the select shows
  assert.equal(apiParams(readState({ range: "bogus" }), now).get("from"), "2026-12-04T12:00:00.000Z");
  assert.match(pageHref(readState({ range: "bogus", qname: "*.viktorbarzin.lan" })), /range=24h/);
});
