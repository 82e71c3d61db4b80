import { pageContext } from "@/server/auth/page-context";
import { describeDbError } from "@/server/db/client";
import { getStackConfig } from "@/server/stack/config-verbs";
import { prefetch } from "@/server/http/prefetch";
import { getStackLock, planStackVerb } from "@/server/stack/run-verbs";
import { StackConsole } from "./stack-console";

export const dynamic = "force-dynamic";

export default async function StackPage() {
  const ctx = await pageContext("/stack");
  let initial: { config: Awaited<ReturnType<typeof getStackConfig>>["current"]; lock: string | null } | null = null;
  let error: string | null = null;
  // The plan is the first screen: read beside the config and streamed into the same response when its dry runs finish
  // (the page's shell and tabs draw at once; no second round trip after hydration). A failed read leaves it to the view.
  const plan = prefetch(planStackVerb(ctx, {}), 30_000);
  try {
    const [config, { lock }] = await Promise.all([getStackConfig(ctx, { limit: 10 }), getStackLock(ctx)]);
    initial = { config: config.current, lock: lock ? `${lock.operation} (by ${lock.holder}${lock.process ? `, dnsdeck process ${lock.process}` : ""})` : null };
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
      {initial && <StackConsole initialConfig={JSON.parse(JSON.stringify(initial.config))} initialLock={initial.lock} initialPlan={plan} />}
    </>
  );
}
