import { pageContext } from "@/server/auth/page-context";
import { describeDbError } from "@/server/db/client";
import { prefetch } from "@/server/http/prefetch";
import { listSyncRuns } from "@/server/sync/verbs";
import { getTechnitiumStatus } from "@/server/technitium/verbs";
import { TechnitiumConsole } from "./technitium-console";

export const dynamic = "force-dynamic";

export default async function TechnitiumPage() {
  const ctx = await pageContext("/technitium");
  let runs: Awaited<ReturnType<typeof listSyncRuns>> | null = null;
  let error: string | null = null;
  const status = prefetch(getTechnitiumStatus(ctx)); // the instances side by side: the first screen
  try {
    runs = await listSyncRuns(ctx, { page: 1, pageSize: 10 });
  } catch (err) {
    error = describeDbError(err);
  }
  return (
    <>
      <h1>Technitium</h1>
      <p className="lede">
        The three instances side by side — from their APIs and, independently, from SOA queries over DNS — with every disagreement highlighted. Sync zones,
        Split Horizon and resolver settings with live progress; every run is kept with its steps.
      </p>
      {error && (
        <p className="alert error" role="alert">
          {error}: sync history cannot be shown and syncs cannot be recorded until it is back.
        </p>
      )}
      <TechnitiumConsole initialRuns={runs ? JSON.parse(JSON.stringify(runs)) : null} initialStatus={await status} />
    </>
  );
}
