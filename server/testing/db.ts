// Test support (never imported by app code): a throw-away database on the real PostgreSQL server.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { migrate } from "@/prisma/migrate";

export const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? "postgresql://postgres:postgres@127.0.0.1:5432/postgres";

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** Create an empty database; with `migrated: true` (default) dnsdeck's migrations are applied. */
export async function freshDatabase(opts: { prefix?: string; migrated?: boolean } = {}): Promise<TestDatabase> {
  const name = `${opts.prefix ?? "dnsdeck_t"}_${randomBytes(5).toString("hex")}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  const u = new URL(ADMIN_URL);
  u.pathname = `/${name}`;
  const url = u.toString();
  if (opts.migrated !== false) await migrate(url);
  return {
    url,
    name,
    async drop() {
      const c = new pg.Client({ connectionString: ADMIN_URL });
      await c.connect();
      try {
        await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      } finally {
        await c.end();
      }
    },
  };
}
