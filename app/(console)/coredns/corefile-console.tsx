"use client";
import { useRef, useState } from "react";
import { useConfirm } from "@/app/_components/confirm";
import { getPath, type Json, setPath } from "@/app/_components/json-path";
import type { StackConfig } from "@/k8s/config";
import type { CorefileTarget } from "@/k8s/corefile";
import type { LiveVersion } from "@/server/stack/coredns-live";
import { CorefileEditor } from "./corefile-editor";
import { CorefileStatus } from "./corefile-status";
import { type SaveMessage, SavePanel } from "./save-panel";
import { SettingsForm } from "./settings-form";
import { useCorefileCheck } from "./use-corefile-check";

/*
 * The CoreDNS page's editor: one draft stack config, edited in the form or as a raw Corefile per target (the cluster
 * CoreDNS, NodeLocal DNSCache), validated on every keystroke in the browser (./use-corefile-check.ts), saved as a
 * config revision (./save-panel.tsx); applying it is Stack's job.
 */

export function CorefileConsole({ initialConfig, revision, dbDown, live }: { initialConfig: StackConfig; revision: number | null; dbDown: boolean; live?: LiveVersion }) {
  const [confirmDialog, ask] = useConfirm();
  const [draft, setDraft] = useState<Json>(initialConfig as unknown as Json);
  const [target, setTarget] = useState<CorefileTarget>("coredns");
  const [msg, setMsg] = useState<SaveMessage | null>(null);
  const editorRef = useRef<HTMLTextAreaElement>(null);
  const check = useCorefileCheck(draft, target);
  const { version, profileLabel, result, renderError } = check;

  const override = getPath(draft, `${target}.corefileOverride`) as string | undefined;
  const mode: "form" | "raw" = override !== undefined ? "raw" : "form";

  const update = (path: string, value: unknown) => {
    setMsg(null);
    setDraft((d) => setPath(d, path, value));
  };

  return (
    <div data-testid="corefile-console">
      {confirmDialog}
      <div className="tabs" role="tablist">
        {(["coredns", "nodelocal"] as const).map((t) => (
          <button key={t} role="tab" aria-selected={target === t} className={target === t ? "active" : ""} data-testid={`tab-${t}`} onClick={() => setTarget(t)}>
            {t === "coredns" ? "CoreDNS (cluster)" : "NodeLocal DNSCache"}
          </button>
        ))}
      </div>

      {target === "coredns" && live?.version && live.version !== version.replace(/^v/, "") && (
        <p className="alert warn" data-testid="version-mismatch">
          The cluster runs {live.image}, but the Corefile is checked against CoreDNS {version}.{" "}
          <button data-testid="use-live-version" onClick={() => update("coredns.version", live.version)}>
            Check against {live.version}
          </button>
        </p>
      )}
      {target === "coredns" && live?.error && (
        <p className="small muted" data-testid="live-version-unknown">
          Live CoreDNS version unknown ({live.error}); checking against CoreDNS {version}.
        </p>
      )}
      <div className="row" style={{ alignItems: "flex-start" }}>
        <SettingsForm draft={draft} target={target} mode={mode} fieldErrors={check.fieldErrors} stack={check.stack} update={update} />

        <section className="panel" style={{ flex: "2 1 480px", minWidth: 360 }}>
          <CorefileEditor
            target={target}
            mode={mode}
            text={check.text}
            override={override}
            renderError={renderError}
            profileLabel={profileLabel}
            errors={result.errors}
            fieldErrors={check.fieldErrors}
            editorRef={editorRef}
            update={update}
            confirmBackToForm={() => ask({ title: "Back to the form?", body: "The raw Corefile is discarded and rendered from the form again.", confirmLabel: "Discard raw Corefile" })}
          />
          <CorefileStatus target={target} valid={result.valid && !renderError} errors={result.errors} profileLabel={profileLabel} editorRef={editorRef} />
          <SavePanel draft={draft} target={target} initialConfig={initialConfig} dbDown={dbDown} problem={check.problem} msg={msg} setMsg={setMsg} />
          <p className="small muted">
            {revision ? `Editing on top of stack config revision ${revision}.` : "No revision saved yet: these are the homelab defaults."} A Corefile change reaches
            every replica within about a minute and a half, all at once; apply it from Stack, which verifies resolution afterwards.
          </p>
        </section>
      </div>
    </div>
  );
}
