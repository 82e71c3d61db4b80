import { env } from "@/server/env";
import { NOT_CONFIGURED } from "@/server/querylogs/db";
import { logStatus } from "@/server/querylogs/service";
import { QueryLogsView } from "./view";

export const dynamic = "force-dynamic";

export default async function QueryLogsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const sp = await searchParams;
  const configured = !!env().QUERYLOG_DATABASE_URL;
  const status = configured ? await logStatus() : { configured: false, reachable: false, message: NOT_CONFIGURED };
  return (
    <>
      <h1>Query logs</h1>
      <p className="lede">Every query the three Technitium instances logged, from their shared dns_logs table. Charts read dnsdeck&apos;s rollups; rows page by id, newest first.</p>
      {!status.reachable ? (
        <div className="alert error" role="alert" data-testid="querylogs-unavailable">
          {"message" in status ? status.message : "The query-log database is unavailable."}
        </div>
      ) : (
        <QueryLogsView searchParams={sp} status={status as never} />
      )}
    </>
  );
}
