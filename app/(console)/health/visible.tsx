"use client";
import { useNearViewport } from "@/app/_components/use-near-viewport";

/** Renders its children once they come near the viewport: charts below the fold cost nothing on first load. */
export function WhenVisible({ height, children }: { height: number; children: React.ReactNode }) {
  const [ref, shown] = useNearViewport<HTMLDivElement>("400px");
  return <div ref={ref} style={shown ? undefined : { height }}>{shown ? children : null}</div>;
}
