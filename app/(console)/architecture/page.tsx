import { EmptyState } from "@/app/_components/empty-state";

export default function Page() {
  return (
    <>
      <h1>Architecture</h1>
      <EmptyState title="Not built yet">
        <p>This section has no implementation in this build of dnsdeck, so it shows nothing rather than sample data.</p>
      </EmptyState>
    </>
  );
}
