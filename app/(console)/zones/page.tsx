import { pageContext } from "@/server/auth/page-context";
import { prefetch } from "@/server/http/prefetch";
import { listZones } from "@/server/records/verbs";
import { ZonesConsole } from "./zones-console";

export const dynamic = "force-dynamic";

export default async function ZonesPage() {
  const ctx = await pageContext("/zones");
  const initial = await prefetch(listZones(ctx)); // the first screen; the view refreshes it through the API
  return (
    <>
      <h1>Zones</h1>
      <p className="lede">
        Every zone on the primary with its SOA serial on each instance — from the API and over DNS — and its transfer, notify and dynamic-update settings.
        Open a zone to search its records and change one: dnsdeck writes it on the primary, asks the replicas to resync and resolves the name at every
        instance until they agree.
      </p>
      <ZonesConsole initial={initial} />
    </>
  );
}
