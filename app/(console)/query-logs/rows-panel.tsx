"use client";
import { memo } from "react";
import { ClientIdentity } from "./client-cell";
import { fmtTime } from "./format";
import type { FilterKey } from "./params";
import type { ListResponse, LogRow } from "./types";

/** A cell value that filters by itself when clicked. */
function FilterValue({ k, v, children, onFilter }: { k: FilterKey; v: string | null; children?: React.ReactNode; onFilter: (k: FilterKey, v: string) => void }) {
  return v === null || v === "" ? (
    <span className="muted">—</span>
  ) : (
    <button type="button" className="link-button" title={`Filter by ${k} = ${v}`} onClick={() => onFilter(k, v)} data-testid={`val-${k}`}>
      {children ?? v}
    </button>
  );
}

function CountBadge({ count, onExact }: { count: NonNullable<ListResponse["count"]>; onExact: () => void }) {
  const exact = count.kind === "exact" || count.kind === "rollup";
  return (
    <>
      <span data-testid="ql-count" data-kind={count.kind} title={count.note}>
        {count.kind === "unknown" ? (
          <>
            count unknown <span className="badge">too few samples</span>
          </>
        ) : (
          <>
            {count.kind === "estimate" ? "≈ " : ""}
            {count.value!.toLocaleString("en")} matching {exact ? <span className="badge badge-ok">exact</span> : <span className="badge">estimate</span>}
          </>
        )}
      </span>
      {!exact && (
        <button type="button" onClick={onExact} data-testid="ql-exact">
          Exact count
        </button>
      )}
    </>
  );
}

/** The rows: count, live-tail switch, exports, the table (time order, newest first) and keyset paging. */
export function RowsPanel(props: {
  list: { data?: ListResponse; isLoading: boolean; isPlaceholderData: boolean; error: unknown };
  rows: LogRow[];
  /** Paging: the URL (opens in a new tab as a link does) and the in-page move (the History API, no server render). */
  older: { href: string; go: () => void } | null;
  newest: { href: string; go: () => void } | null;
  live: boolean;
  onLive: (on: boolean) => void;
  liveDisabled: boolean;
  exportHref: (format: string) => string;
  onExact: () => void;
  onSelect: (r: LogRow) => void;
  selectedId: string | null;
  onFilter: (k: FilterKey, v: string) => void;
}) {
  const { list, rows } = props;
  return (
    <section className="panel">
      <div className="row">
        <h2>Queries</h2>
        {list.data?.count && <CountBadge count={list.data.count} onExact={props.onExact} />}
        <label className="small">
          <input type="checkbox" checked={props.live} onChange={(e) => props.onLive(e.target.checked)} disabled={props.liveDisabled} data-testid="ql-live" /> live tail
        </label>
        <a href={props.exportHref("csv")} data-testid="ql-export-csv">
          Export CSV
        </a>
        <a href={props.exportHref("ndjson")} data-testid="ql-export-ndjson">
          Export NDJSON
        </a>
      </div>
      {(list.isLoading || list.isPlaceholderData) && (
        <p className="muted" data-testid="ql-rows-loading">
          <span className="spinner" /> Loading…
        </p>
      )}
      {!!list.error && (
        <div className="alert error" role="alert" data-testid="ql-error">
          {(list.error as Error).message}
        </div>
      )}
      <div style={{ overflowX: "auto" }}>
        <table className={list.isPlaceholderData ? "table stale" : "table"} data-testid="ql-rows" aria-busy={list.isPlaceholderData}>
          <thead>
            <tr>
              {["Time (UTC)", "Instance", "Client", "Proto", "Response", "Rcode", "Name", "Type", "Answer", "RTT"].map((h) => (
                <th key={h}>{h}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {list.data && rows.length === 0 && (
              <tr>
                <td colSpan={10} className="muted">
                  Nothing matches in this range.
                </td>
              </tr>
            )}
            <RowsBody rows={rows} selectedId={props.selectedId} onSelect={props.onSelect} onFilter={props.onFilter} />
          </tbody>
        </table>
      </div>
      <div className="row">
        {props.newest && (
          <a href={props.newest.href} onClick={inPage(props.newest.go)} data-testid="ql-newest">
            ← Newest
          </a>
        )}
        {props.older && (
          <a href={props.older.href} onClick={inPage(props.older.go)} data-testid="ql-older">
            Older →
          </a>
        )}
      </div>
    </section>
  );
}

/** A plain click moves in the page; a modified click (new tab, new window) is left to the browser. */
const inPage = (go: () => void) => (e: React.MouseEvent<HTMLAnchorElement>) => {
  if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  e.preventDefault();
  go();
};

/** The rows themselves, memoised: while a change loads, the page re-renders around them without redrawing 50 rows. */
const RowsBody = memo(function RowsBody({ rows, selectedId, onSelect, onFilter }: { rows: LogRow[]; selectedId: string | null; onSelect: (r: LogRow) => void; onFilter: (k: FilterKey, v: string) => void }) {
  return (
    <>
    {rows.map((r) => (
      <tr key={r.id} onDoubleClick={() => onSelect(r)} className={selectedId === r.id ? "selected" : undefined} data-testid="ql-row">
        <td className="mono small" style={{ whiteSpace: "nowrap" }}>
          <button type="button" className="link-button" onClick={() => onSelect(r)} title="Details" data-testid="ql-time">
            {fmtTime(r.timestamp)}
          </button>
        </td>
        <td>
          <FilterValue k="server" v={r.server} onFilter={onFilter} />
        </td>
        <td className="mono">
          <FilterValue k="client" v={r.clientIp} onFilter={onFilter} />
          <ClientIdentity c={r.client} onFilter={onFilter} />
        </td>
        <td>
          <FilterValue k="protocol" v={r.protocol} onFilter={onFilter} />
        </td>
        <td>
          <FilterValue k="responseType" v={r.responseType} onFilter={onFilter} />
        </td>
        <td>
          <FilterValue k="rcode" v={r.rcode} onFilter={onFilter} />
        </td>
        <td className="mono" style={{ maxWidth: 280, overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" }} title={r.qname ?? ""}>
          <FilterValue k="qname" v={r.qname} onFilter={onFilter}>
            {r.qname === "" ? "(root)" : r.qname}
          </FilterValue>
        </td>
        <td>
          <FilterValue k="qtype" v={r.qtype} onFilter={onFilter} />
        </td>
        <td className="mono small" style={{ maxWidth: 300, overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" }} title={r.answer ?? ""}>
          {r.answer ?? <span className="muted">—</span>}
        </td>
        <td style={{ whiteSpace: "nowrap" }}>{r.rtt === null ? "" : `${r.rtt.toFixed(1)} ms`}</td>
      </tr>
    ))}
    </>
  );
});
