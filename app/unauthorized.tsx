export default function Unauthorized() {
  return (
    <main className="gate">
      <h1>401 — not signed in</h1>
      <p>
        dnsdeck only trusts identities that arrive through Authentik. Open dnsdeck through its public address so
        Authentik can sign you in.
      </p>
      <p>
        <a href="/outpost.goauthentik.io/start">Sign in through Authentik</a>
      </p>
    </main>
  );
}
