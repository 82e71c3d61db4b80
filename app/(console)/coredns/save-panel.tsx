import Link from "next/link";
import { type Dispatch, type SetStateAction, useState } from "react";
import { useCan } from "@/app/_components/identity";
import type { Json } from "@/app/_components/json-path";
import type { StackConfig } from "@/k8s/config";
import type { CorefileTarget } from "@/k8s/corefile";
import { checkForeignOwners, saveStackConfig } from "@/server/stack/actions";
import type { ForeignOwned } from "@/server/stack/owners";
import { ForeignOwners } from "./foreign-owners";

export interface SaveMessage {
  kind: "ok" | "error";
  text: string;
  fields?: Record<string, string>;
  take?: string[];
}

/**
 * Saving the draft as a new stack config revision (nothing is applied): the note, why saving is not possible yet, and
 * the result. Foreign field owners of what this draft would change are checked (dry run) before saving: the owner is
 * named and the choice — take ownership when applying, or leave the object to its manager — is made here, up front.
 */
export function SavePanel(props: {
  draft: Json;
  target: CorefileTarget;
  initialConfig: StackConfig;
  dbDown: boolean;
  /** Why the draft cannot be saved as it stands (invalid fields or Corefiles), else null. */
  problem: string | null;
  msg: SaveMessage | null;
  setMsg: Dispatch<SetStateAction<SaveMessage | null>>;
}) {
  const { draft, target, msg, setMsg } = props;
  const isAdmin = useCan("admin");
  const [note, setNote] = useState("");
  const [saving, setSaving] = useState(false);
  const [savedDraft, setSavedDraft] = useState(() => JSON.stringify(props.initialConfig));
  const [checking, setChecking] = useState(false);
  const [owners, setOwners] = useState<{ draft: string; conflicts: ForeignOwned[] } | null>(null);
  const ownersShown = owners && owners.draft === JSON.stringify(draft) && owners.conflicts.length ? owners.conflicts : null;
  const ownerNames = ownersShown ? [...new Set(ownersShown.flatMap((c) => c.owners))].join(", ") : "";
  const dirty = JSON.stringify(draft) !== savedDraft;
  const saveBlocked = !isAdmin ? "Saving needs the admin role." : props.dbDown ? "The database is unavailable." : (props.problem ?? (!dirty ? "Nothing changed." : null));

  const save = async (choice?: "take" | "leave") => {
    setSaving(true);
    setMsg(null);
    try {
      let unchecked = "";
      if (!choice) {
        setChecking(true);
        const o = await checkForeignOwners({ config: draft }).finally(() => setChecking(false));
        if (o.ok && o.data.conflicts.length) {
          setOwners({ draft: JSON.stringify(draft), conflicts: o.data.conflicts });
          return; // the person chooses first (the panel below the Save button)
        }
        if (!o.ok) unchecked = ` Field owners were not checked (${o.error.message}); the plan on Stack shows them before you apply.`;
      }
      const keys = ownersShown?.map((c) => c.key) ?? [];
      const decided = choice && keys.length ? `; ${keys.join(", ")}: ${choice === "take" ? "take ownership from" : "left to"} ${ownerNames}` : "";
      const r = await saveStackConfig({ config: draft, note: `${note || `Corefile edit (${target})`}${decided}`.slice(0, 500) });
      if (r.ok) {
        setSavedDraft(JSON.stringify(draft));
        setOwners(null);
        const next =
          choice === "take"
            ? ` On Stack, the Apply dialog takes ownership of ${keys.join(", ")} from ${ownerNames} (remove it from ${ownerNames}, or it will put its own values back).`
            : choice === "leave"
              ? ` ${keys.join(", ")} stays with ${ownerNames}: the Apply dialog leaves it out, so that part of this revision is not applied until ${ownerNames} lets go or you take ownership.`
              : "";
        setMsg({ kind: "ok", text: `Saved as stack config revision ${r.data.id}. Nothing is applied yet: review the plan on Stack and apply it there.${next}${unchecked}`, take: choice === "take" ? keys : undefined });
      } else {
        setMsg({ kind: "error", text: r.error.message, fields: r.error.fields });
      }
    } catch (e) {
      setMsg({ kind: "error", text: `Saving failed: ${(e as Error).message}. Check the connection and try again.` });
    } finally {
      setSaving(false);
    }
  };

  return (
    <>
      <div className="row" style={{ marginTop: 12 }}>
        <input placeholder="Note for this revision (optional)" value={note} onChange={(e) => setNote(e.target.value)} style={{ flex: 1 }} data-testid="corefile-note" />
        <button data-testid="corefile-save" onClick={() => save()} disabled={!!saveBlocked || saving || !!ownersShown}>
          {saving ? <span className="spinner" /> : null} Save to stack config
        </button>
      </div>
      {checking && (
        <p className="small muted" role="status" data-testid="owners-checking">
          Checking who owns the fields this revision would change (a server-side dry run per object)…
        </p>
      )}
      {ownersShown && !saveBlocked && <ForeignOwners conflicts={ownersShown} ownerNames={ownerNames} saving={saving} onChoose={save} onCancel={() => setOwners(null)} />}
      {saveBlocked && (
        <p className="small muted" data-testid="save-blocked">
          {saveBlocked}
        </p>
      )}
      {msg && (
        <div className={`alert ${msg.kind}`} role={msg.kind === "error" ? "alert" : "status"} data-testid="save-result">
          {msg.text}
          {msg.kind === "ok" && (
            <>
              {" "}
              <Link href={msg.take?.length ? `/stack?take=${encodeURIComponent(msg.take.join(","))}` : "/stack"}>Open Stack</Link>
            </>
          )}
          {msg.fields && (
            <ul>
              {Object.entries(msg.fields).map(([k, v]) => (
                <li key={k}>
                  <span className="mono">{k}</span>: {v}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </>
  );
}
