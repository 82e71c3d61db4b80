import type { ForeignOwned } from "@/server/stack/owners";

/** Objects this draft would change whose fields another manager owns: named, with the choice to make before saving. */
export function ForeignOwners({
  conflicts,
  ownerNames,
  saving,
  onChoose,
  onCancel,
}: {
  conflicts: ForeignOwned[];
  ownerNames: string;
  saving: boolean;
  onChoose: (choice: "take" | "leave") => void;
  onCancel: () => void;
}) {
  return (
    <div className="alert warn" role="alert" data-testid="foreign-owners">
      <p>
        <strong>Owned by {ownerNames}.</strong> Applying this revision changes fields another manager owns; a plain apply would stop on the conflict:
      </p>
      <ul>
        {conflicts.map((c) => (
          <li key={c.key}>
            <span className="mono">{c.key}</span>:{" "}
            {c.fields.map((f, k) => (
              <span key={k}>
                {k ? ", " : ""}
                <code>{f.field}</code> owned by <strong>{f.manager}</strong>
              </span>
            ))}
          </li>
        ))}
      </ul>
      <div className="row">
        <button type="button" data-testid="owners-take" disabled={saving} onClick={() => onChoose("take")}>
          Save; take ownership from {ownerNames} when applying
        </button>
        <button type="button" className="secondary" data-testid="owners-leave" disabled={saving} onClick={() => onChoose("leave")}>
          Save; leave it to {ownerNames}
        </button>
        <button type="button" className="secondary" disabled={saving} onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}
