"use client";
import Link from "next/link";
import type { FilterKey } from "./params";
import type { RowClient } from "./types";

/** A part of the line that gives way to the others: cut with an ellipsis. */
const CUT = { overflow: "hidden", textOverflow: "ellipsis", whiteSpace: "nowrap", minWidth: 0 } as const;

/**
 * Who an address was at the row's time: its kind (click: every query from that kind of client), its name (click:
 * every query from it) and the path that kind takes to Technitium (a link to Resolution paths).
 */
export function ClientIdentity({ c, onFilter }: { c: RowClient | null; onFilter: (k: FilterKey, v: string) => void }) {
  if (!c) return <span className="muted small">(directory unavailable)</span>;
  const nameable = c.name && c.source !== "none";
  return (
    // one line: the kind and the path link keep their room, a long name is cut with an ellipsis (its title says it all)
    <span className="small" data-testid="ql-client-id" style={{ display: "flex", alignItems: "baseline", gap: "0.35em", whiteSpace: "nowrap", minWidth: 0 }}>
      <button type="button" className={`link-button badge kind-${c.kind}`} style={{ textDecoration: "none", flex: "none" }} title={`${c.path} — filter by this kind of client`} onClick={() => onFilter("clientKind", c.kind)} data-testid="ql-client-kind" data-kind={c.kind}>
        {c.label}
      </button>
      {nameable ? (
        <button type="button" className="link-button" title={`Filter by client name ${c.name}`} onClick={() => onFilter("clientName", c.name!)} data-testid="ql-client-name" style={CUT}>
          {c.name}
        </button>
      ) : (
        <span className="muted" style={CUT}>
          {c.network ?? ""}
        </span>
      )}
      {c.pathClass && (
        <Link href={`/paths?class=${c.pathClass}`} prefetch={false} title={c.path} data-testid="ql-client-path" style={{ flex: "none" }}>
          path
        </Link>
      )}
    </span>
  );
}
