"use client";
import dynamic from "next/dynamic";
import { TimelineStrip } from "@/app/_components/timeline-strip";
import type { TimelineMarker } from "@/server/prometheus/types";
import { rows } from "./format";
import { WhenVisible } from "./visible";

// recharts is loaded after the page hydrates (its own chunk), and only drawn near the viewport
const LineChartBody = dynamic(() => import("./line-chart"), { ssr: false, loading: () => <div style={{ height: 150 }} aria-busy="true" /> });

/** One time chart (a line per series) with the range's timeline markers under it. */
export function RateChart(props: {
  title: string;
  series: { key: string; points: [number, number][] }[];
  from: string;
  to: string;
  markers: TimelineMarker[];
  unit?: (v: number) => string;
  testId?: string;
}) {
  const data = rows(props.series);
  return (
    <div data-testid={props.testId}>
      <h3 className="small muted" style={{ margin: "4px 0" }}>
        {props.title}
      </h3>
      {data.length === 0 ? (
        <p className="muted small" style={{ height: 150 }}>
          no samples in this range
        </p>
      ) : (
        <WhenVisible height={150}>
          <LineChartBody data={data} keys={props.series.map((s) => s.key)} start={Date.parse(props.from) / 1000} end={Date.parse(props.to) / 1000} unit={props.unit} />
        </WhenVisible>
      )}
      <TimelineStrip from={props.from} to={props.to} padLeft={52} padRight={10} markers={props.markers} />
    </div>
  );
}
