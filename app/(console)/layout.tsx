import { Providers } from "@/app/providers";
import { pageContext } from "@/server/auth/page-context";
import { env } from "@/server/env";
import { DemoBanner } from "./demo-banner";
import { Nav } from "./nav";
import { IdentityProvider } from "@/app/_components/identity";

export const dynamic = "force-dynamic";

/** Draws who is signed in. It is not the check: every page calls pageContext() and reads only through verbs. */
export default async function ConsoleLayout({ children }: { children: React.ReactNode }) {
  const { identity } = await pageContext("layout");
  const e = env();
  return (
    <Providers>
      <IdentityProvider value={{ user: identity.user, role: identity.role }}>
        {e.AUTH_MODE === "demo" && <DemoBanner role={identity.role} panelUrl={e.DEMO_TWIN_PANEL_URL} />}
        <div className="shell">
          <aside className="sidebar">
            <div className="brand">
              <span className="logo">◆</span> dnsdeck
            </div>
            <Nav />
            <div className="whoami">
              <div className="user" data-testid="user-name">
                {identity.user}
              </div>
              <div className={`role role-${identity.role}`} data-testid="user-role">
                {identity.role}
              </div>
              {e.AUTH_MODE === "authentik" && (
                <a className="logout" href={e.AUTHENTIK_SIGNOUT_PATH}>
                  Log out
                </a>
              )}
            </div>
          </aside>
          <main className="content">{children}</main>
        </div>
      </IdentityProvider>
    </Providers>
  );
}
