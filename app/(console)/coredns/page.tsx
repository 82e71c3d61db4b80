import { defaultStackConfig } from "@/k8s/config";
import { describeDbError } from "@/server/db/client";
import { apps, kubeConfig, kubeStatus } from "@/server/kube/client";
import { currentConfig } from "@/server/stack/config-store";
import { CorefileConsole } from "./corefile-console";

export const dynamic = "force-dynamic";

export default async function CorednsPage() {
  let config = defaultStackConfig;
  let revision: number | null = null;
  let error: string | null = null;
  try {
    const cur = await currentConfig();
    config = cur.config;
    revision = cur.id;
  } catch (err) {
    error = describeDbError(err);
  }
  const live = await liveCorednsVersion(config.coredns.namespace, config.coredns.deploymentName);
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

/** The running CoreDNS image tag (kubeadm pins it per Kubernetes release); the validator profile should match it. */
async function liveCorednsVersion(namespace: string, name: string): Promise<{ version: string | null; image: string | null; error: string | null }> {
  if (!kubeConfig()) return { version: null, image: null, error: "no Kubernetes access configured" };
  try {
    const dep = await Promise.race([
      apps().readNamespacedDeployment({ name, namespace }),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timed out after 4 s")), 4000)),
    ]);
    const image = dep.spec?.template.spec?.containers?.[0]?.image ?? null;
    const m = image ? /:v?(\d+\.\d+\.\d+)/.exec(image) : null;
    return { version: m ? m[1] : null, image, error: m ? null : `cannot read a version from image ${image ?? "(none)"}` };
  } catch (err) {
    return { version: null, image: null, error: err instanceof Error && err.message.startsWith("timed out") ? err.message : kubeStatus(err).message };
  }
}
