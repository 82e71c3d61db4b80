import "server-only";
import type { Writable } from "node:stream";
import * as k8s from "@kubernetes/client-node";
import { call, coreApi } from "./client";
import { requireKube, timeoutMs } from "./config";
import { withTimeout } from "@/server/timeout";
import { toKubeError } from "./error";

/** Pod logs: the last lines of a failed pod (diagnostics) and a followed stream (a CronJob run's log). */

/** Last log lines of a pod's container; [] on any error (logs are diagnostics, never a reason to fail). */
export async function podLogTail(namespace: string, pod: string, container?: string, tailLines = 20): Promise<string[]> {
  try {
    const text = await call(`reading the log of pod ${namespace}/${pod}`, "diagnostic", () => coreApi("diagnostic").readNamespacedPodLog({ name: pod, namespace, container, tailLines }));
    return String(text ?? "")
      .split("\n")
      .filter(Boolean)
      .slice(-tailLines);
  } catch {
    return [];
  }
}

/**
 * Pipe a container's log into `out` (following while it runs when `follow`). Connecting is bounded by the call
 * budget; once connected the stream lasts as long as the container writes. Resolves with the AbortController that
 * stops it; a failure to connect is a KubeError.
 */
export async function streamPodLog(namespace: string, pod: string, container: string, out: Writable, opts: { follow: boolean }): Promise<AbortController> {
  const what = `streaming the log of pod ${namespace}/${pod}`;
  const ms = timeoutMs("call");
  let connecting: Promise<AbortController> | undefined;
  try {
    connecting = new k8s.Log(requireKube()).log(namespace, pod, container, out, { follow: opts.follow, pretty: false, timestamps: false });
    return await withTimeout(connecting, ms, () => Object.assign(new Error("aborted"), { name: "AbortError" }));
  } catch (err) {
    // timed out: it may still connect, so stop it then
    if (err instanceof Error && err.name === "AbortError") void connecting?.then((c) => c.abort(), () => undefined);
    throw toKubeError(err, what, ms);
  }
}
