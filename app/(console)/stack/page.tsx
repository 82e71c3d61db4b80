import { describeDbError } from "@/server/db/client";
import { currentConfig, listConfigRevisions } from "@/server/stack/config-store";
import { currentLock, displayHolder } from "@/server/stack/lock";
import { StackConsole } from "./stack-console";

export const dynamic = "force-dynamic";

export default async function StackPage() {
  let initial: { config: Awaited<ReturnType<typeof currentConfig>>; revisions: Awaited<ReturnType<typeof listConfigRevisions>>; lock: string | null } | null = null;
  let error: string | null = null;
  try {
    const [config, revisions, lock] = await Promise.all([currentConfig(), listConfigRevisions({ limit: 10 }), currentLock()]);
    initial = { config, revisions, lock: lock ? `${lock.operation} (by ${displayHolder(lock.holder)})` : null };
  } catch (err) {
    error = describeDbError(err);
  }
  return (
    <>
      <h1>Stack</h1>
      <p className="lede">
        The DNS stack as dnsdeck renders it — NodeLocal DNSCache, CoreDNS, Technitium — compared with the cluster. Plan shows the exact change per
        object; Apply rolls it out object by object and stops on the first node whose cache does not answer.
      </p>
      {error && (
        <p className="alert error" role="alert">
          {error}: the stack config and its history cannot be loaded until it is back.
        </p>
      )}
      {initial && <StackConsole initialConfig={JSON.parse(JSON.stringify(initial.config))} initialLock={initial.lock} />}
    </>
  );
}
