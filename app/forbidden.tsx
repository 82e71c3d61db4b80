export default function Forbidden() {
  return (
    <main className="gate">
      <h1>403 — no access</h1>
      <p>You are signed in, but none of your Authentik groups maps to a dnsdeck role. Ask an admin to add you to one.</p>
      <p>
        <a href="/outpost.goauthentik.io/sign_out">Sign out</a>
      </p>
    </main>
  );
}
