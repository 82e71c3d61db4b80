"use client";
import type { ApplyView } from "@/server/stack/apply";
import type { StackPlan } from "@/server/stack/plan";

export type { ApplyView, StackPlan };

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export async function api<T>(path: string, init?: { method?: string; body?: unknown }): Promise<T> {
  const res = await fetch(path, {
    method: init?.method ?? "GET",
    headers: init?.body !== undefined ? { "content-type": "application/json" } : undefined,
    body: init?.body !== undefined ? JSON.stringify(init.body) : undefined,
    cache: "no-store",
  });
  const text = await res.text();
  let json: unknown = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  if (!res.ok) {
    const e = (json as { error?: { message?: string; details?: unknown } } | null)?.error;
    throw new ApiError(res.status, e?.message ?? `HTTP ${res.status}`, e?.details);
  }
  return json as T;
}

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
