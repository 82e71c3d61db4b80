"use client";
import Link from "next/link";
import { useEffect, useState } from "react";
import { CLIENT_KINDS, KIND_LABEL } from "@/k8s/clients";
import { FILTER_KEYS, type FilterKey, PRESETS, type ViewState, withFilter } from "./params";
import type { FilterOptions } from "./types";

/** A chip's value as people say it: client kinds by their label ("NodeLocal node"), `!` as "not". */
function chipText(k: FilterKey, v: string): string {
  if (k !== "clientKind") return v;
  const not = v.startsWith("!");
  const names = (not ? v.slice(1) : v).split(",").map((x) => KIND_LABEL[x as keyof typeof KIND_LABEL] ?? x);
  return (not ? "not " : "") + names.join(" or ");
}

/** The filter bar: range, instance, client, name and the enum filters; applied together, shown as removable chips. */
export function FiltersForm({ state, servers, options, onApply, onRemove }: { state: ViewState; servers: string[]; options: FilterOptions; onApply: (s: ViewState) => void; onRemove: (k: FilterKey) => void }) {
  const [draft, setDraft] = useState<ViewState>(state);
  useEffect(() => setDraft(state), [state]);
  const set = (k: FilterKey, v: string) => setDraft({ ...draft, filters: withFilter(draft.filters, k, v) });
  const enums: [FilterKey, string, string[]][] = [
    ["qtype", "Type", options.qtypes],
    ["rcode", "Rcode", options.rcodes],
    ["responseType", "Response", options.responseTypes],
    ["protocol", "Protocol", options.protocols],
  ];
  return (
    <>
      <form
        className="filters"
        data-testid="querylogs-filters"
        onSubmit={(e) => {
          e.preventDefault();
          onApply({ ...draft, cursor: undefined });
        }}
      >
        <label>
          Range
          <select value={draft.range} onChange={(e) => setDraft({ ...draft, range: e.target.value })} data-testid="ql-range">
            {Object.keys(PRESETS).map((k) => (
              <option key={k} value={k}>
                last {k}
              </option>
            ))}
            <option value="custom">custom</option>
          </select>
        </label>
        {draft.range === "custom" && (
          <>
            <label>
              From (UTC) <input value={draft.from ?? ""} placeholder="2026-11-24T08:00:00Z" onChange={(e) => setDraft({ ...draft, from: e.target.value })} data-testid="ql-from" />
            </label>
            <label>
              To (UTC) <input value={draft.to ?? ""} placeholder="now" onChange={(e) => setDraft({ ...draft, to: e.target.value })} data-testid="ql-to" />
            </label>
          </>
        )}
        <label>
          Instance
          <select value={draft.filters.server ?? ""} onChange={(e) => set("server", e.target.value)} data-testid="ql-server">
            <option value="">all</option>
            {draft.filters.server && !servers.includes(draft.filters.server) && <option value={draft.filters.server}>{draft.filters.server}</option>}
            {servers.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Client <input value={draft.filters.client ?? ""} placeholder="IP or CIDR" onChange={(e) => set("client", e.target.value)} data-testid="ql-client" />
        </label>
        <label>
          Client kind
          <select value={draft.filters.clientKind ?? ""} onChange={(e) => set("clientKind", e.target.value)} data-testid="ql-clientKind">
            <option value="">any</option>
            {draft.filters.clientKind && !(CLIENT_KINDS as readonly string[]).includes(draft.filters.clientKind) && <option value={draft.filters.clientKind}>{draft.filters.clientKind}</option>}
            {CLIENT_KINDS.map((k) => (
              <option key={k} value={k}>
                {KIND_LABEL[k]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Client name <input value={draft.filters.clientName ?? ""} placeholder="pod, node, device" onChange={(e) => set("clientName", e.target.value)} data-testid="ql-clientName" />
        </label>
        <label>
          Name <input value={draft.filters.qname ?? ""} placeholder="a.b · *.b · ~text" onChange={(e) => set("qname", e.target.value)} data-testid="ql-qname" />
        </label>
        {enums.map(([k, label, opts]) => (
          <label key={k}>
            {label}
            <select value={draft.filters[k] ?? ""} onChange={(e) => set(k, e.target.value)} data-testid={`ql-${k}`}>
              <option value="">any</option>
              {draft.filters[k] && !opts.includes(draft.filters[k]!) && <option value={draft.filters[k]}>{draft.filters[k]}</option>}
              {opts.map((o) => (
                <option key={o} value={o}>
                  {o}
                </option>
              ))}
            </select>
          </label>
        ))}
        <button type="submit" data-testid="ql-apply">
          Apply
        </button>
        <Link href="/query-logs">Clear</Link>
      </form>
      {FILTER_KEYS.some((k) => state.filters[k]) && (
        <div className="row" data-testid="ql-active-filters">
          {FILTER_KEYS.filter((k) => state.filters[k]).map((k) => (
            <span key={k} className="badge">
              {k}: {chipText(k, state.filters[k]!)}{" "}
              <button type="button" className="link-button" aria-label={`remove ${k} filter`} onClick={() => onRemove(k)}>
                ×
              </button>
            </span>
          ))}
        </div>
      )}
    </>
  );
}
