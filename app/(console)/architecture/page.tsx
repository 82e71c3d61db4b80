import { ArchitectureView } from "./architecture-view";

export const metadata = { title: "Architecture · dnsdeck" };

export default function Page() {
  return (
    <>
      <h1>Architecture</h1>
      <p className="lede">The whole DNS estate, drawn from the stack config and live state. Click a component for its details.</p>
      <ArchitectureView />
    </>
  );
}
