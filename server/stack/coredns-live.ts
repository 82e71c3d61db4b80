import "server-only";
import { kubeConfig } from "@/server/kube/config";
import { readDeployment } from "@/server/kube/workloads";

export interface LiveVersion {
  version: string | null;
  image: string | null;
  error: string | null;
}

/**
 * The running CoreDNS image tag (kubeadm pins it per Kubernetes release); the validator profile should match it.
 * Read with the door's "page" budget: the CoreDNS page says why it has no version instead of waiting on the API.
 */
export async function liveCorednsVersion(namespace: string, name: string): Promise<LiveVersion> {
  if (!kubeConfig()) return { version: null, image: null, error: "no Kubernetes access configured" };
  try {
    const dep = await readDeployment(namespace, name, "page");
    if (!dep) return { version: null, image: null, error: `Deployment ${namespace}/${name} does not exist` };
    const image = dep.spec?.template.spec?.containers?.[0]?.image ?? null;
    const m = image ? /:v?(\d+\.\d+\.\d+)/.exec(image) : null;
    return { version: m ? m[1] : null, image, error: m ? null : `cannot read a version from image ${image ?? "(none)"}` };
  } catch (err) {
    return { version: null, image: null, error: err instanceof Error ? err.message : String(err) };
  }
}
