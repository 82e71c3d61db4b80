"use client";
import { memo } from "react";
import { ClientIdentity } from "./client-cell";
import type { FilterKey } from "./params";
import type { RowClient, Stats, TopQuality } from "./types";

const LISTS = [
  ["Top names", "names", "qname"],
  ["Top clients", "clients", "client"],
  ["Top blocked", "blocked", "qname"],
] as const;

const QUALITY: Record<TopQuality, string | null> = {
  exact: null,
  "counts-exact": "counts exact · list may miss a rare entry",
  estimate: "estimated",
};

/** The three top lists for the current filters, each row barred by its count; click an entry to filter by it. */
const CUT_BUTTON = { display: "inline-block", maxWidth: "100%", overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap", verticalAlign: "bottom" } as const;

export const TopLists = memo(function TopLists({ top, onFilter }: { top: Stats["top"]; onFilter: (k: FilterKey, v: string) => void }) {
  return (
    <div className="row" style={{ alignItems: "flex-start" }} data-testid="ql-top">
      {LISTS.map(([title, key, filterKey]) => {
        const entries = top[key];
        const q = QUALITY[top.quality[key]];
        // each row carries its bar (its count against the list's first): plain CSS, no chart to lay out per list
        const max = entries[0]?.count || 1;
        return (
          <div key={key} style={{ flex: 1, minWidth: 240 }} data-testid={`ql-top-${key}`}>
            <h3>
              {title} {q && <span className="badge" title="see the notes under the charts">{q}</span>}
            </h3>
            {entries.length === 0 && <p className="muted small">Nothing matches.</p>}
            <table className="table small">
              <tbody>
                {entries.map((e) => (
                  <tr key={e.key} className="top-row" style={{ ["--share" as string]: `${Math.round((e.count / max) * 100)}%`, ["--bar" as string]: key === "blocked" ? "rgba(248, 81, 73, 0.22)" : "rgba(78, 161, 255, 0.2)" }}>
                    {/* all the width the count leaves (width 100 % with max-width 0: the cell cuts rather than widens) */}
                    <td className="mono" style={{ width: "100%", maxWidth: 0, overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap" }} title={e.key}>
                      {/* a button is cut, not ellipsed, by its cell: a long name ellipses itself (the client line lays out its own) */}
                      <button type="button" className="link-button" style={"client" in e ? undefined : CUT_BUTTON} onClick={() => onFilter(filterKey, e.key)}>
                        {e.key || "(root)"}
                      </button>
                      {"client" in e && <ClientIdentity c={(e as { client: RowClient | null }).client} onFilter={onFilter} />}
                    </td>
                    <td style={{ textAlign: "right", whiteSpace: "nowrap" }}>{e.count.toLocaleString("en")}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        );
      })}
    </div>
  );
});
