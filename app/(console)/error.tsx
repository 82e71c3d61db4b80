"use client";
import { useEffect } from "react";

/** A page failed while rendering: say so, name the reference the server log has, offer to try again. No details. */
export default function ConsoleError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  useEffect(() => {
    console.error("page error", error.digest);
  }, [error]);
  return (
    <section className="panel" role="alert" data-testid="page-error">
      <h1>This page could not be shown</h1>
      <p>
        Something failed on the server while drawing it. Nothing was changed. Try again; if it keeps failing, the server log has the details
        {error.digest ? (
          <>
            {" "}
            under reference <code>{error.digest}</code>
          </>
        ) : null}
        .
      </p>
      <button type="button" onClick={() => reset()}>
        Try again
      </button>
    </section>
  );
}
