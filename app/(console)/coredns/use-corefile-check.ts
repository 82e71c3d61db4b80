import { useDeferredValue, useMemo } from "react";
import { getPath, type Json } from "@/app/_components/json-path";
import { defaultStackConfig, type StackConfig, stackConfigSchema } from "@/k8s/config";
import { type CorefileError, type CorefileTarget, profileFor, validateCorefile } from "@/k8s/corefile";
import { renderCorednsCorefile, renderNodeLocalCorefile } from "@/k8s/corefile-render";

/*
 * Live validation of the draft: the parser/validator in k8s/corefile is pure, so every keystroke is validated in the
 * browser (no request, no audit row). The same validator backs POST /api/v1/corefile/validate and the server's save path.
 */

const render = (target: CorefileTarget, config: StackConfig) => (target === "coredns" ? renderCorednsCorefile(config) : renderNodeLocalCorefile(config));

export function useCorefileCheck(draft: Json, target: CorefileTarget) {
  const deferred = useDeferredValue(draft);
  const parsed = useMemo(() => stackConfigSchema.safeParse(deferred), [deferred]);
  const fieldErrors = useMemo(() => {
    const out: Record<string, string> = {};
    if (!parsed.success)
      for (const i of parsed.error.issues) {
        const path = i.path.join(".");
        out[path] ??= i.message;
        // list items (forwarders.1, extraArgs.0) are shown under their list field
        const list = path.replace(/\.\d+$/, "");
        if (list !== path && !/zones$/.test(list)) out[list] ??= `item ${Number(path.slice(list.length + 1)) + 1}: ${i.message}`;
      }
    return out;
  }, [parsed]);

  // the text shown: the raw override, or the Corefile the form renders
  const { text, renderError } = useMemo(() => {
    const o = getPath(deferred, `${target}.corefileOverride`) as string | undefined;
    if (o !== undefined) return { text: o, renderError: null as string | null };
    if (!parsed.success) return { text: "", renderError: "Fix the highlighted fields to see the rendered Corefile." };
    try {
      return { text: render(target, parsed.data), renderError: null };
    } catch (e) {
      return { text: "", renderError: (e as Error).message };
    }
  }, [deferred, parsed, target]);

  const stack: StackConfig = parsed.success ? parsed.data : defaultStackConfig;
  const version = (getPath(deferred, "coredns.version") as string | undefined) ?? "1.11.3";
  const profileLabel = useMemo(() => {
    try {
      return profileFor(target, version).label;
    } catch {
      return `unknown CoreDNS version ${version}`;
    }
  }, [target, version]);
  const result = useMemo(
    () => (text ? validateCorefile(text, target, { stack, corednsVersion: version }) : { valid: false, errors: [] as CorefileError[] }),
    [text, target, stack, version],
  );
  // the other target must stay valid too: saving stores both Corefiles
  const other: CorefileTarget = target === "coredns" ? "nodelocal" : "coredns";
  const otherValid = useMemo(() => {
    if (!parsed.success) return false;
    try {
      return validateCorefile(render(other, parsed.data), other, { stack: parsed.data, corednsVersion: version }).valid;
    } catch {
      return false;
    }
  }, [parsed, other, version]);

  /** Why this draft cannot be saved as it stands (null: it can). */
  const problem = !parsed.success
    ? `Some fields are invalid: ${Object.keys(fieldErrors).slice(0, 3).join(", ")}.`
    : !result.valid || renderError
      ? "The Corefile has errors."
      : !otherValid
        ? `The ${other === "coredns" ? "CoreDNS" : "NodeLocal"} Corefile has errors (switch tabs to see them).`
        : null;

  return { fieldErrors, text, renderError, stack, version, profileLabel, result, problem };
}
