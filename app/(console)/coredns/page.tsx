import { pageContext } from "@/server/auth/page-context";
import { getCorednsView } from "@/server/stack/config-verbs";
import { CorefileConsole } from "./corefile-console";

export const dynamic = "force-dynamic";

export default async function CorednsPage() {
  const ctx = await pageContext("/coredns");
  const { config, revision, error, live } = await getCorednsView(ctx);
  return (
    <>
      <h1>CoreDNS</h1>
      <p className="lede">
        The Corefiles of the cluster CoreDNS and of NodeLocal DNSCache. Edit the common settings in the form, or take over the raw Corefile; every
        keystroke is checked against the plugins each image really has (node-cache 1.23.1 is a reduced CoreDNS 1.10.0) and against the changes
        that break cluster DNS. Saving stores a new stack config revision; apply it from Stack.
      </p>
      {error && (
        <p className="alert error" role="alert">
          {error}: showing the homelab defaults; saving is not possible until the database is back.
        </p>
      )}
      <CorefileConsole initialConfig={JSON.parse(JSON.stringify(config))} revision={revision} dbDown={!!error} live={live} />
    </>
  );
}
