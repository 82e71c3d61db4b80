import { pageContext } from "@/server/auth/page-context";
import { queryLogStatus } from "@/server/querylogs/service";
import { QueryLogsView } from "./view";

export const dynamic = "force-dynamic";

export default async function QueryLogsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const ctx = await pageContext("/query-logs");
  const sp = await searchParams;
  const status = await queryLogStatus(ctx);
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
