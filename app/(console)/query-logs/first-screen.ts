import "server-only";
import type { Ctx } from "@/server/auth/ctx";
import { queryObject } from "@/server/http/guard";
import { listQueryLogs, queryLogStats } from "@/server/querylogs/service";
import { prefetch } from "@/server/http/prefetch";
import type { ListResponse, Stats } from "./types";

/**
 * The first screen's data, read on the server with the same verbs (same role check, same schema) and the same
 * parameters the view would send. The rows are awaited (the page arrives with them); the charts and the top lists are
 * handed over as promises and stream into the same response when each is read, so the page neither waits for the
 * slowest panel nor asks for it again after hydration. A panel that fails or is over its budget resolves to undefined:
 * the view then asks the API for it itself and shows the error or its progress as it always does. Changes made on the
 * page (filters, "Older →") do not come back here: the view asks the API per panel.
 */
export interface FirstScreen {
  qs: string;
  /** The page of rows `list` is (a URL opened with `cursor=`), so it seeds only that page. */
  cursor?: string;
  at: number;
  list?: ListResponse;
  charts?: Promise<Stats | undefined>;
  tops?: Promise<Stats | undefined>;
}

export async function firstScreen(ctx: Ctx, qs: URLSearchParams, cursor: string | undefined): Promise<FirstScreen> {
  const raw = (extra: Record<string, string>) => {
    const p = new URLSearchParams(qs);
    for (const [k, v] of Object.entries(extra)) p.set(k, v);
    return queryObject(p);
  };
  // the rows' query first: an embedded database answers one query at a time
  const list = prefetch(listQueryLogs(ctx, raw(cursor ? { cursor, count: "none", ahead: "1" } : { count: "fast", ahead: "1" })) as Promise<ListResponse>);
  // "Older →" keeps the filters: the view already holds their charts and top lists, so only the rows are read
  const charts = cursor ? undefined : prefetch(queryLogStats(ctx, raw({ parts: "series,rtt" })) as Promise<Stats>, 10_000);
  const tops = cursor ? undefined : prefetch(queryLogStats(ctx, raw({ parts: "top" })) as Promise<Stats>, 10_000);
  return { qs: qs.toString(), cursor, at: Date.now(), list: await list, charts, tops };
}
