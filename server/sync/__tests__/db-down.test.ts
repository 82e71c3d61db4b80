import assert from "node:assert/strict";
import { test } from "node:test";
import { resetEnvForTests } from "@/server/env";
import { AppError } from "@/server/errors";
import { runSync } from "../service";
import { startHarness } from "./harness";

test("dnsdeck's database down: the sync is refused as unavailable before any instance is touched", async () => {
  const h = await startHarness();
  try {
    process.env.DATABASE_URL = "postgresql://postgres@127.0.0.1:1/none";
    resetEnvForTests();
    await assert.rejects(runSync("zones", { trigger: "cli", user: "t", context: h.ctx }), (e: unknown) => {
      assert.ok(e instanceof AppError && e.code === "unavailable", String(e));
      assert.match(e.message, /database is unreachable.*nothing was changed/);
      return true;
    });
    for (const n of ["primary", "secondary", "tertiary"]) assert.deepEqual(h.calls[n], [], n);
  } finally {
    await h.stop();
    const { db } = await import("@/server/db/client");
    await db().$disconnect();
    const { dropDatabase } = await import("./harness");
    await dropDatabase();
  }
});
