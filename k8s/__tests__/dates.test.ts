import { test } from "node:test";
import assert from "node:assert/strict";
import { isRealDate } from "../schemas";
import { parseTime } from "@/server/querylogs/filters";

test("a real calendar date is real in every year, including years 1–99; an impossible one is refused", () => {
  assert.equal(isRealDate(1, 1, 1), true);
  assert.equal(isRealDate(99, 12, 31), true);
  assert.equal(isRealDate(2024, 2, 29), true);
  assert.equal(isRealDate(2026, 2, 29), false);
  assert.equal(isRealDate(2026, 2, 30), false);
  assert.equal(isRealDate(2026, 13, 1), false);
  assert.equal(parseTime("0001-01-01")?.toISOString(), "0001-01-01T00:00:00.000Z");
  assert.equal(parseTime("2026-02-30"), undefined);
});
