/** The API's shapes as the server declares them (type-only imports: nothing from server/ reaches the browser). */
import type { RowClient } from "@/server/clients/directory";
import type { Count, LogRow as RawRow, Page } from "@/server/querylogs/query";
import type { logStats, logStatus } from "@/server/querylogs/service";

/** A row with the client its address was at the row's time (null when the directory could not be read). */
export type LogRow = RawRow & { client: RowClient | null };
export type { RowClient };
export type Stats = Awaited<ReturnType<typeof logStats>>;
/** `ahead`: the next page, read with this one when asked for (`ahead=1`); null when this page is the last. */
export type ListResponse = Omit<Page, "rows"> & { rows: LogRow[]; count: Count | null; ahead?: { rows: LogRow[]; nextCursor: string | null } | null };
export type Status = Awaited<ReturnType<typeof logStatus>>;
export type TopQuality = Stats["top"]["quality"]["names"];

/** The enum names the filters offer, handed down by the server page (server/querylogs/enums.ts). */
export interface FilterOptions {
  responseTypes: string[];
  rcodes: string[];
  protocols: string[];
  qtypes: string[];
}
