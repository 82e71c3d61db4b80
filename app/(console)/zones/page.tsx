import { pageContext } from "@/server/auth/page-context";
import { ZonesConsole } from "./zones-console";

export const dynamic = "force-dynamic";

export default async function ZonesPage() {
  await pageContext("/zones");
  return (
    <>
      <h1>Zones</h1>
      <p className="lede">
        Every zone on the primary with its SOA serial on each instance — from the API and over DNS — and its transfer, notify and dynamic-update settings.
        Open a zone to search its records and change one: dnsdeck writes it on the primary, asks the replicas to resync and resolves the name at every
        instance until they agree.
      </p>
      <ZonesConsole />
    </>
  );
}
