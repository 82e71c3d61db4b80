// Test support for server/stack: a fresh database and the environment dnsdeck's env() needs, set before any module
// that reads it is imported (db() and kubeConfig() cache on first use).
import { freshDatabase, type TestDatabase } from "@/server/testing/db";

export async function stackTestEnv(extra: Record<string, string> = {}): Promise<TestDatabase> {
  const dbh = await freshDatabase({ prefix: "dnsdeck_stack" });
  Object.assign(process.env, {
    DATABASE_URL: dbh.url,
    AUTH_MODE: "demo",
    TECHNITIUM_INSTANCES: "primary=http://127.0.0.1:9",
    TECHNITIUM_TOKEN_PRIMARY: "unset",
    ...extra,
  });
  const { resetEnvForTests } = await import("@/server/env");
  resetEnvForTests();
  return dbh;
}
