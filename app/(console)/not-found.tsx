import Link from "next/link";

/** A section link or record that does not exist (inside the console, so the navigation stays). */
export default function ConsoleNotFound() {
  return (
    <section className="panel" data-testid="not-found">
      <h1>Not found</h1>
      <p>
        There is nothing at this address. <Link href="/">Back to the overview</Link>
      </p>
    </section>
  );
}
