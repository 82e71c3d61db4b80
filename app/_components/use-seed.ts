"use client";
import { useState } from "react";

type Seed<T> = { initialData: T; initialDataUpdatedAt: number; refetchOnMount: false } | Record<string, never>;

/**
 * Query options that start a query from the data its server page already read (server/http/prefetch.ts): shown at
 * once and not asked for again on mount — however long hydration took, the page is exactly as old as that data —
 * then refreshed as usual (refetchInterval, invalidation, a new key). Nothing when the page could not read it, so the
 * query asks the API itself. `at`: when the server read it (default: when the view mounted).
 */
export function useSeed<T>(initial: T | undefined, at?: number): Seed<T> {
  const [mounted] = useState(() => Date.now());
  return initial === undefined ? {} : { initialData: initial, initialDataUpdatedAt: at ?? mounted, refetchOnMount: false };
}
