import path from "node:path";
import { defineConfig } from "prisma/config";

// The native schema engine cannot be fetched on the build machines; `prisma generate` does not need it.
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= path.join(import.meta.dirname, "prisma", "engine-stub.sh");

export default defineConfig({
  schema: path.join("prisma", "schema.prisma"),
  migrations: { path: path.join("prisma", "migrations") },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost/dnsdeck" },
});
