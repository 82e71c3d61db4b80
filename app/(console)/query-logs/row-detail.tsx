"use client";
import { fmtTime } from "./format";
import type { FilterKey } from "./params";
import type { LogRow } from "./types";

/** One query's fields, each with Filter / Exclude. */
export function RowDetail({ row, onClose, onFilter }: { row: LogRow; onClose: () => void; onFilter: (k: FilterKey, v: string) => void }) {
  const fields: [string, string | null, FilterKey | null][] = [
    ["Time", fmtTime(row.timestamp), null],
    ["Instance", row.server, "server"],
    ["Client", row.clientIp, "client"],
    ["Client kind", row.client ? row.client.kind : null, "clientKind"],
    ["Client name", row.client?.name ?? null, "clientName"],
    ["Path", row.client?.path ?? null, null],
    ["Protocol", row.protocol, "protocol"],
    ["Response type", row.responseType, "responseType"],
    ["Rcode", row.rcode, "rcode"],
    ["Name", row.qname, "qname"],
    ["Type", row.qtype, "qtype"],
    ["Class", row.qclass, null],
    ["RTT", row.rtt === null ? null : `${row.rtt} ms`, null],
    ["Answer", row.answer, null],
  ];
  return (
    <section className="panel" data-testid="ql-details">
      <div className="row">
        <h2>Query #{row.id}</h2>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      <table className="table">
        <tbody>
          {fields.map(([label, value, key]) => (
            <tr key={label}>
              <th>{label}</th>
              <td className="mono" style={{ whiteSpace: "pre-wrap", wordBreak: "break-all" }}>
                {value ?? <span className="muted">(none)</span>}
              </td>
              <td>
                {key && value !== null && (
                  <>
                    <button type="button" onClick={() => onFilter(key, value)} data-testid={`ql-filter-${key}`}>
                      Filter
                    </button>{" "}
                    {key !== "clientName" && (
                      <button type="button" onClick={() => onFilter(key, `!${value}`)} data-testid={`ql-exclude-${key}`}>
                        Exclude
                      </button>
                    )}
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
