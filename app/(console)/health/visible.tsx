"use client";
import { useEffect, useRef, useState } from "react";

/** Renders its children once they come near the viewport: charts below the fold cost nothing on first load. */
export function WhenVisible({ height, children }: { height: number; children: React.ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  const [shown, setShown] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (!el || shown) return;
    const io = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && setShown(true), { rootMargin: "400px" });
    io.observe(el);
    return () => io.disconnect();
  }, [shown]);
  return <div ref={ref} style={shown ? undefined : { height }}>{shown ? children : null}</div>;
}
