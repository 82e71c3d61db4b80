import "server-only";
import { apps, kubeConfig, kubeStatus } from "@/server/kube/client";

/** The running CoreDNS image tag (kubeadm pins it per Kubernetes release); the validator profile should match it. */
export async function liveCorednsVersion(namespace: string, name: string): Promise<{ version: string | null; image: string | null; error: string | null }> {
  if (!kubeConfig()) return { version: null, image: null, error: "no Kubernetes access configured" };
  let timer: NodeJS.Timeout | undefined;
  try {
    const dep = await Promise.race([
      apps().readNamespacedDeployment({ name, namespace }),
      new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error("timed out after 4 s")), 4000))),
    ]);
    const image = dep.spec?.template.spec?.containers?.[0]?.image ?? null;
    const m = image ? /:v?(\d+\.\d+\.\d+)/.exec(image) : null;
    return { version: m ? m[1] : null, image, error: m ? null : `cannot read a version from image ${image ?? "(none)"}` };
  } catch (err) {
    return { version: null, image: null, error: err instanceof Error && err.message.startsWith("timed out") ? err.message : kubeStatus(err).message };
  } finally {
    clearTimeout(timer);
  }
}
