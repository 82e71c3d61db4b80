import { EnvError, env } from "@/server/env";

try {
  env();
} catch (err) {
  console.error(err instanceof EnvError ? err.message : err);
  process.exit(1);
}
