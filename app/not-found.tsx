import Link from "next/link";

export default function NotFound() {
  return (
    <main className="gate">
      <h1>404 — not here</h1>
      <p>
        <Link href="/">Back to the overview</Link>
      </p>
    </main>
  );
}
