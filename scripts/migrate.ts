// npm run migrate — apply dnsdeck's migrations to DATABASE_URL.
import { migrate } from "../prisma/migrate";

const url = process.env.DATABASE_URL;
if (!url) {
  console.error("DATABASE_URL is not set");
  process.exit(2);
}
migrate(url, undefined, (l) => console.log(l))
  .then((r) => console.log(`migrations: ${r.applied.length} applied, ${r.alreadyApplied.length} already applied`))
  .catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
