"use client";
import { useCallback, useEffect, useRef, useState } from "react";

interface Ask {
  title: string;
  body: string;
  confirmLabel?: string;
  danger?: boolean;
  resolve: (ok: boolean) => void;
}

/**
 * An in-page confirmation (a modal <dialog>) in place of the browser's confirm(): it says what will happen in the
 * page's own words, names the action on its button, and Escape or "Cancel" refuses. Usage:
 *   const [confirmDialog, confirm] = useConfirm();
 *   if (!(await confirm({ title, body, confirmLabel }))) return;   …   {confirmDialog}
 */
export function useConfirm(): [React.ReactNode, (q: Omit<Ask, "resolve">) => Promise<boolean>] {
  const [ask, setAsk] = useState<Ask | null>(null);
  const confirm = useCallback((q: Omit<Ask, "resolve">) => new Promise<boolean>((resolve) => setAsk({ ...q, resolve })), []);
  const close = (ok: boolean) => {
    ask?.resolve(ok);
    setAsk(null);
  };
  return [ask ? <ConfirmDialog key={ask.title + ask.body} ask={ask} onClose={close} /> : null, confirm];
}

function ConfirmDialog({ ask, onClose }: { ask: Ask; onClose: (ok: boolean) => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  return (
    <dialog
      ref={ref}
      className="confirm-dialog"
      data-testid="confirm-dialog"
      aria-labelledby="confirm-title"
      onCancel={(e) => {
        e.preventDefault();
        onClose(false);
      }}
    >
      <h2 id="confirm-title" style={{ marginTop: 0 }}>
        {ask.title}
      </h2>
      <p style={{ whiteSpace: "pre-wrap" }}>{ask.body}</p>
      <div className="row" style={{ justifyContent: "flex-end" }}>
        <button type="button" className="secondary" onClick={() => onClose(false)} data-testid="confirm-cancel" autoFocus>
          Cancel
        </button>
        <button type="button" className={ask.danger ? "danger" : undefined} onClick={() => onClose(true)} data-testid="confirm-ok">
          {ask.confirmLabel ?? "Confirm"}
        </button>
      </div>
    </dialog>
  );
}
