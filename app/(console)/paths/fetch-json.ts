import { api } from "@/app/_components/api-client";

/** GET or POST JSON through the shared API client. */
export function fetchJson<T>(url: string, init?: { method?: string; body?: unknown }): Promise<T> {
  return api<T>(url, init);
}
