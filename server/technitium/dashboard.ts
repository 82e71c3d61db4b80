import "server-only";
import { TechnitiumApi, technitiumClients } from "./client";

/**
 * Technitium's own dashboard numbers per instance (`dashboard/stats/get`, last hour: sums over the 60 completed
 * minutes) — what the homelab's Homepage widget shows. Each instance may fail alone.
 */
export interface DashboardNumbers {
  instance: string;
  ok: boolean;
  error?: string;
  totalQueries?: number;
  totalCached?: number;
  totalBlocked?: number;
  totalRecursive?: number;
  totalNxDomain?: number;
  totalServerFailure?: number;
}

const FIELDS = ["totalQueries", "totalCached", "totalBlocked", "totalRecursive", "totalNxDomain", "totalServerFailure"] as const;

export async function technitiumDashboard(): Promise<DashboardNumbers[]> {
  return Promise.all(
    technitiumClients().map(async (c): Promise<DashboardNumbers> => {
      try {
        const s = await new TechnitiumApi(c).dashboardStats("LastHour");
        const out: DashboardNumbers = { instance: c.name, ok: true };
        for (const f of FIELDS) out[f] = typeof s[f] === "number" ? s[f] : 0;
        return out;
      } catch (err) {
        return { instance: c.name, ok: false, error: err instanceof Error ? err.message : String(err) };
      }
    }),
  );
}
