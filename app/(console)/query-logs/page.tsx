import { pageContext } from "@/server/auth/page-context";
import { names } from "@/server/querylogs/enums";
import { queryLogStatus } from "@/server/querylogs/service";
import { firstScreen } from "./first-screen";
import { apiParams, readState, renderedAt } from "./params";
import { QueryLogsView } from "./view";

export const dynamic = "force-dynamic";

/** The types offered in the menu (any other qtype can be typed into the URL: `qtype=TYPE65` or its name). */
const COMMON_QTYPES = ["A", "AAAA", "HTTPS", "PTR", "SRV", "TXT", "CNAME", "MX", "NS", "SOA", "AXFR", "ANY"];

export default async function QueryLogsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const ctx = await pageContext("/query-logs");
  const sp = await searchParams;
  const now = renderedAt(); // per request: what "last 24h" in this URL means
  const state = readState(sp);
  const [status, first] = await Promise.all([queryLogStatus(ctx), firstScreen(ctx, apiParams(state, now), state.cursor)]);
  const initial = status.reachable ? first : undefined;
  return (
    <>
      <h1>Query logs</h1>
      <p className="lede">Every query the three Technitium instances logged, from their shared dns_logs table. Charts, top lists and counts read dnsdeck&apos;s rollups; rows are newest first by time.</p>
      {!status.reachable ? (
        <div className="alert error" role="alert" data-testid="querylogs-unavailable">
          {"message" in status ? status.message : "The query-log database is unavailable."}
        </div>
      ) : (
        <QueryLogsView searchParams={sp} now={now} initial={initial} status={status as never} options={{ responseTypes: names("responseType").filter((n) => n !== "Dropped"), rcodes: names("rcode"), protocols: names("protocol"), qtypes: COMMON_QTYPES }} />
      )}
    </>
  );
}
