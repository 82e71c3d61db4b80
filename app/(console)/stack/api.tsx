"use client";
import type { ApplyView } from "@/server/stack/apply/types";
import type { StackPlan } from "@/server/stack/plan";

export type { ApplyView, StackPlan };

export { ApiError, api } from "@/app/_components/api-client";

export function DiffView({ text }: { text: string }) {
  if (!text) return <p className="muted small">No difference.</p>;
  return (
    <pre className="diff" data-testid="object-diff">
      {text.split("\n").map((l, i) => (
        <span key={i} className={l.startsWith("+++") || l.startsWith("---") ? "muted" : l.startsWith("+") ? "add" : l.startsWith("-") ? "del" : l.startsWith("@@") ? "hunk" : undefined}>
          {l}
          {"\n"}
        </span>
      ))}
    </pre>
  );
}

export const STATE_LABEL: Record<string, string> = {
  "in-sync": "in sync",
  drifted: "drifted",
  missing: "missing",
  conflict: "owned by someone else",
  "preview-unavailable": "preview unavailable",
  error: "error",
};
