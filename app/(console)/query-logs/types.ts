/** The API's shapes as the server declares them (type-only imports: nothing from server/ reaches the browser). */
import type { Count, LogRow, Page } from "@/server/querylogs/query";
import type { logStatus } from "@/server/querylogs/service";
import type { Stats } from "@/server/querylogs/stats";

export type { LogRow, Stats };
export type ListResponse = Page & { count: Count | null };
export type Status = Awaited<ReturnType<typeof logStatus>>;
export type TopQuality = Stats["top"]["quality"]["names"];

/** The enum names the filters offer, handed down by the server page (server/querylogs/enums.ts). */
export interface FilterOptions {
  responseTypes: string[];
  rcodes: string[];
  protocols: string[];
  qtypes: string[];
}
