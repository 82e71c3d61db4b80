import { getArchitecture } from "@/server/architecture/verbs";
import { pageContext } from "@/server/auth/page-context";
import { prefetch } from "@/server/http/prefetch";
import { ArchitectureView } from "./architecture-view";

export const metadata = { title: "Architecture · dnsdeck" };

export default async function Page() {
  const ctx = await pageContext("/architecture"); // nothing renders for a stranger
  const initial = await prefetch(getArchitecture(ctx)); // the first screen; the view refreshes it through the API
  return (
    <>
      <h1>Architecture</h1>
      <p className="lede">The whole DNS estate, drawn from the stack config and live state. Click a component for its details.</p>
      <ArchitectureView initial={initial} />
    </>
  );
}
