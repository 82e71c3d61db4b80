import { getPaths } from "@/server/architecture/verbs";
import { pageContext } from "@/server/auth/page-context";
import { prefetch } from "@/server/http/prefetch";
import { PathsView } from "./paths-view";

export const metadata = { title: "Resolution paths · dnsdeck" };

export default async function Page() {
  const ctx = await pageContext("/paths"); // nothing renders for a stranger
  const initial = await prefetch(getPaths(ctx)); // the first screen; the view refreshes it through the API
  return (
    <>
      <h1>Resolution paths</h1>
      <p className="lede">How each kind of client resolves a name, drawn from the current config; trace a name through every hop.</p>
      <PathsView initial={initial} />
    </>
  );
}
