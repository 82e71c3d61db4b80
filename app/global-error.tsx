"use client";

/** The last boundary: even the layout failed. Plain HTML, no data, a reference for the server log. */
export default function GlobalError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <html lang="en">
      <body>
        <main className="gate">
          <h1>dnsdeck could not draw this page</h1>
          <p>Nothing was changed.{error.digest ? ` The server log has the details under reference ${error.digest}.` : ""}</p>
          <button type="button" onClick={() => reset()}>
            Try again
          </button>
        </main>
      </body>
    </html>
  );
}
