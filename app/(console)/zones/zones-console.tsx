"use client";
import { LocalTime } from "@/app/_components/local-time";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { RunView } from "../technitium/run-view";
import { useSeed } from "@/app/_components/use-seed";
import { api, type ZonesView } from "./api";
import { ConsistencyPanel } from "./consistency-panel";
import { RecordsPanel } from "./records-panel";
import { ZonesTable } from "./zones-table";

export function ZonesConsole({ initial }: { initial?: ZonesView }) {
  const qc = useQueryClient();
  const [zone, setZone] = useState<string | null>(null);
  const [run, setRun] = useState<number | null>(null);
  const runRef = useRef<HTMLDivElement>(null);
  // a run started from the consistency report (below the fold) is followed where the page shows runs: bring it into view
  useEffect(() => {
    if (run !== null) runRef.current?.scrollIntoView({ block: "start", behavior: "smooth" });
  }, [run]);
  const zones = useQuery({ queryKey: ["zones"], queryFn: () => api<ZonesView>("/api/v1/zones"), refetchInterval: 60_000, ...useSeed(initial) });
  return (
    <>
      <div className="row" style={{ marginBottom: 10 }}>
        <button type="button" className="secondary" onClick={() => zones.refetch()} disabled={zones.isFetching} data-testid="zones-refresh">
          {zones.isFetching && <span className="spinner" />} Refresh
        </button>
        {zones.data && <span className="small muted">Checked <LocalTime at={zones.data.checkedAt} part="time" />.</span>}
      </div>
      {zones.error && (
        <p className="alert error" role="alert">
          Cannot load the zones: {(zones.error as Error).message}
        </p>
      )}
      {!zones.data && !zones.error && (
        <p className="panel">
          <span className="spinner" /> Asking the three instances (API and DNS)…
        </p>
      )}
      {zones.data && <ZonesTable view={zones.data} selected={zone} onSelect={(z) => (setZone(z), setRun(null))} />}
      <div ref={runRef} />
      {run !== null && (
        <RunView
          key={run}
          id={run}
          onDone={() => {
            qc.invalidateQueries({ queryKey: ["zones"] });
            qc.invalidateQueries({ queryKey: ["records"] });
            qc.invalidateQueries({ queryKey: ["consistency"] });
          }}
          onClose={() => setRun(null)}
        />
      )}
      {zone && zones.data && <RecordsPanel key={zone} zone={zone} zoneNames={zones.data.zones.map((z) => z.name)} onRun={setRun} />}
      <ConsistencyPanel onRun={setRun} />
    </>
  );
}
