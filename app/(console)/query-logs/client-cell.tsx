"use client";
import Link from "next/link";
import type { FilterKey } from "./params";
import type { RowClient } from "./types";

/**
 * Who an address was at the row's time: its kind (click: every query from that kind of client), its name (click:
 * every query from it) and the path that kind takes to Technitium (a link to Resolution paths).
 */
export function ClientIdentity({ c, onFilter }: { c: RowClient | null; onFilter: (k: FilterKey, v: string) => void }) {
  if (!c) return <span className="muted small">(directory unavailable)</span>;
  const nameable = c.name && c.source !== "none";
  return (
    <span className="small" data-testid="ql-client-id" style={{ display: "block", whiteSpace: "nowrap" }}>
      <button type="button" className={`link-button badge kind-${c.kind}`} style={{ textDecoration: "none" }} title={`${c.path} — filter by this kind of client`} onClick={() => onFilter("clientKind", c.kind)} data-testid="ql-client-kind" data-kind={c.kind}>
        {c.label}
      </button>{" "}
      {nameable ? (
        <button type="button" className="link-button" title={`Filter by client name ${c.name}`} onClick={() => onFilter("clientName", c.name!)} data-testid="ql-client-name">
          {c.name}
        </button>
      ) : (
        <span className="muted">{c.network ?? ""}</span>
      )}
      {c.pathClass && (
        <>
          {" "}
          <Link href={`/paths?class=${c.pathClass}`} prefetch={false} title={c.path} data-testid="ql-client-path">
            path
          </Link>
        </>
      )}
    </span>
  );
}
