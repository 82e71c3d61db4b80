import "server-only";
import type { Ctx } from "@/server/auth/ctx";
import { queryObject } from "@/server/http/guard";
import { listQueryLogs, queryLogStats } from "@/server/querylogs/service";
import { prefetch } from "@/server/http/prefetch";
import type { ListResponse, Stats } from "./types";

/**
 * The first screen's data, read on the server with the same verbs (same role check, same schema) and the same
 * parameters the view would send, so the page arrives with its rows, charts and top lists instead of asking for them
 * after hydration. Changes made on the page (filters, "Older →") do not come back here: the view asks the API per panel.
 * A panel that fails or is slow here is left out: the view then asks for it itself and shows the error or its progress
 * as it always does.
 */
export interface FirstScreen {
  qs: string;
  /** The page of rows `list` is (a URL opened with `cursor=`), so it seeds only that page. */
  cursor?: string;
  at: number;
  list?: ListResponse;
  charts?: Stats;
  tops?: Stats;
}

export async function firstScreen(ctx: Ctx, qs: URLSearchParams, cursor: string | undefined): Promise<FirstScreen> {
  const raw = (extra: Record<string, string>) => {
    const p = new URLSearchParams(qs);
    for (const [k, v] of Object.entries(extra)) p.set(k, v);
    return queryObject(p);
  };
  const [list, charts, tops] = await Promise.all([
    prefetch(listQueryLogs(ctx, raw(cursor ? { cursor, count: "none" } : { count: "fast" })) as Promise<ListResponse>),
    // "Older →" keeps the filters: the view already holds their charts and top lists, so only the rows are read
    cursor ? undefined : prefetch(queryLogStats(ctx, raw({ parts: "series,rtt" }))),
    cursor ? undefined : prefetch(queryLogStats(ctx, raw({ parts: "top" }))),
  ]);
  return { qs: qs.toString(), cursor, at: Date.now(), list, charts, tops };
}
