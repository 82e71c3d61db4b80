"use client";
import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { switchDemoRole } from "./demo-actions";

export function DemoBanner({ role, panelUrl }: { role: string; panelUrl?: string }) {
  const router = useRouter();
  const [pending, start] = useTransition();
  return (
    <div className="demo-banner" role="status">
      <strong>Demo</strong> — running against the homelab twin with sample data. Act as{" "}
      <select
        aria-label="Demo role"
        value={role}
        disabled={pending}
        onChange={(e) =>
          start(async () => {
            await switchDemoRole({ role: e.target.value });
            router.refresh();
          })
        }
      >
        <option value="admin">admin</option>
        <option value="operator">operator</option>
        <option value="viewer">viewer</option>
      </select>
      {pending && <span className="spinner" aria-label="switching" />}
      {panelUrl && (
        <a href={panelUrl} target="_blank" rel="noreferrer" style={{ marginLeft: "auto" }}>
          Break the twin (fault panel) ↗
        </a>
      )}
    </div>
  );
}
