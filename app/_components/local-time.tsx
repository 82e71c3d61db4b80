"use client";
import { useSyncExternalStore } from "react";

const noSubscribe = () => () => {};

/** False while the server renders and the browser hydrates, true after: what may differ between the two waits for it. */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    noSubscribe,
    () => true,
    () => false,
  );
}

const utc = (d: Date, part: "datetime" | "time") => (part === "time" ? d.toISOString().slice(11, 19) : d.toISOString().slice(0, 19).replace("T", " ")) + " UTC";

/**
 * A moment in the reader's own time zone and locale. The server (a pod, usually UTC) and the browser would format it
 * differently and React would throw the hydrated page away (#418), so the server and hydration draw it in UTC and the
 * browser then redraws it locally; the exact instant is in `dateTime` and the tooltip.
 */
export function LocalTime({ at, part = "datetime" }: { at: string | number | Date; part?: "datetime" | "time" }) {
  const hydrated = useHydrated();
  const d = new Date(at);
  if (Number.isNaN(d.getTime())) return <>–</>;
  return (
    <time dateTime={d.toISOString()} title={d.toISOString()}>
      {hydrated ? (part === "time" ? d.toLocaleTimeString() : d.toLocaleString()) : utc(d, part)}
    </time>
  );
}
