import { pageContext } from "@/server/auth/page-context";
import { ArchitectureView } from "./architecture-view";

export const metadata = { title: "Architecture · dnsdeck" };

export default async function Page() {
  await pageContext("/architecture"); // no data here (the view fetches it through the API), but nothing renders for a stranger
  return (
    <>
      <h1>Architecture</h1>
      <p className="lede">The whole DNS estate, drawn from the stack config and live state. Click a component for its details.</p>
      <ArchitectureView />
    </>
  );
}
