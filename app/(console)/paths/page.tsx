import { explainNdots, getPaths } from "@/server/architecture/verbs";
import { pageContext } from "@/server/auth/page-context";
import { prefetch } from "@/server/http/prefetch";
import { NDOTS_DEFAULT } from "./ndots-default";
import { PathsView } from "./paths-view";

export const metadata = { title: "Resolution paths · dnsdeck" };

export default async function Page() {
  const ctx = await pageContext("/paths"); // nothing renders for a stranger
  // the first screen, both parts read side by side; the view refreshes them through the API
  const [initial, ndots] = await Promise.all([prefetch(getPaths(ctx)), prefetch(explainNdots(ctx, NDOTS_DEFAULT))]);
  return (
    <>
      <h1>Resolution paths</h1>
      <p className="lede">How each kind of client resolves a name, drawn from the current config; trace a name through every hop.</p>
      <PathsView initial={initial} initialNdots={ndots} />
    </>
  );
}
