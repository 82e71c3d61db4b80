"use client";
import type { CronJobSummary } from "@/server/cronjobs/jobs";
import type { SyncRunView } from "@/server/sync/runs";
import type { TechnitiumStatus } from "@/server/technitium/status";

export type { CronJobSummary, SyncRunView, TechnitiumStatus };
export type RunsPage = { runs: SyncRunView[]; page: number; pageSize: number; total: number; pages: number };

export { ApiError, api } from "@/app/_components/api-client";

export const KIND_LABEL: Record<string, string> = { zones: "Zone sync", "split-horizon": "Split horizon sync", "resolver-settings": "Resolver settings", record: "Record change" };
