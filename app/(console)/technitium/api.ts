"use client";
import type { CronJobSummary } from "@/server/cronjobs/jobs";
import type { SyncRunView } from "@/server/sync/runs";
import type { TechnitiumStatus } from "@/server/technitium/status";

export type { CronJobSummary, SyncRunView, TechnitiumStatus };
export type RunsPage = { runs: SyncRunView[]; page: number; pageSize: number; total: number; pages: number };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export async function api<T>(path: string, init?: { method?: string; body?: unknown }): Promise<T> {
  const res = await fetch(path, {
    method: init?.method ?? "GET",
    headers: init?.body !== undefined ? { "content-type": "application/json" } : undefined,
    body: init?.body !== undefined ? JSON.stringify(init.body) : undefined,
    cache: "no-store",
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  if (!res.ok) {
    const e = (json as { error?: { message?: string; details?: unknown } } | null)?.error;
    throw new ApiError(res.status, e?.message ?? `HTTP ${res.status}`, e?.details);
  }
  return json as T;
}

export const KIND_LABEL: Record<string, string> = { zones: "Zone sync", "split-horizon": "Split horizon sync", "resolver-settings": "Resolver settings" };
