"use client";
import { useEffect, useState } from "react";

/**
 * The current time for text such as "3 min ago", or null until the page has hydrated: the server and the browser
 * render at different instants, so time-relative text drawn during hydration differs and React throws it away (#418).
 * Ticks every `everyMs` so the text stays true while the page is open.
 */
export function useNow(everyMs = 15_000): number | null {
  const [now, setNow] = useState<number | null>(null);
  useEffect(() => {
    setNow(Date.now());
    const i = setInterval(() => setNow(Date.now()), everyMs);
    return () => clearInterval(i);
  }, [everyMs]);
  return now;
}
